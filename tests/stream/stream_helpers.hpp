#pragma once
// Shared pieces of the stream tests: a micro-stream-test-server process, numbered messages,
// and what the server reports (its stream-end events, its Debug.Stats).

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "harness.hpp"
#include "micro/micro.hpp"
#include "numbered.hpp"

namespace micro::test {

/// Starts micro-stream-test-server named `name` on loopback (static registry), with extra
/// MICRO_* variables `env`.
running_server start_stream_server(const std::string& name = "streams", std::map<std::string, std::string> env = {});

/// Reads the server's stdout until a stream-end event of `endpoint` arrives; null if none in time.
json wait_stream_end(running_server& s, const std::string& endpoint, milliseconds timeout = 20s);

/// The server's Debug.Stats (null json if the call fails).
json server_stats(micro::client& c, const std::string& service);

/// This process's resident set size in bytes.
long long own_rss();

/// Polls until `done()` holds or `timeout` passes; returns done().
template <class F>
bool eventually(F done, milliseconds timeout = 10s) {
  auto until = steady_clock::now() + timeout;
  while (!done()) {
    if (steady_clock::now() >= until)
      return done();
    std::this_thread::sleep_for(10ms);
  }
  return true;
}

}  // namespace micro::test
