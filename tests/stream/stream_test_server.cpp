// micro-stream-test-server: a service with stream endpoints made for the stream tests.
//
//   micro-stream-test-server --server_name s   (plus MICRO_* variables: address, registry, ...)
//
// Prints "listening HOST:PORT" once it serves. Each stream that ends prints one line
//   {"event": "stream-end", "endpoint": E, "code": C, "received": N}
// on stdout, where C is what the handler's last recv/send saw (0 = clean end), so the tests can
// await what the server saw instead of sleeping. TEST_STREAM_EVENTS=0 turns these lines off.
//
// Stream endpoints (raw bytes unless said otherwise):
//   Stream.Echo   sends every message back until the client half-closes.
//   Stream.Sink   reads until the client half-closes; each message starts with an 8-byte
//                 sequence number (little endian, from 0); then sends one message: JSON
//                 {"received": N, "in_order": bool}.
//   Stream.Slow   like Sink, but sleeps `sleep_ms` (open metadata, default 1) per message read.
//   Stream.Count  typed JSON: reads one {"count": N, "size": S} and sends N messages
//                 {"i": k, "pad": S bytes}, then ends ok (server streaming). With metadata
//                 "raw" = "1" it sends raw bodies of S bytes starting with the 8-byte sequence.
//   Stream.Wait   reads until the stream ends in any way; never sends.
//   Stream.Fail   sends 3 messages, then fails the stream with 409 (a micro::error).
//   Stream.Quit   sends 2 messages, then cancels the stream itself ("server gave up", 499).
// Unary: Test.Ping {} -> {} (to tell a unary endpoint from a stream one).
// TEST_STREAM_ASYNC=1 serves the same stream endpoints (Stream.Slow excepted) with
// handle_stream_async, without a thread per stream (async_endpoints.hpp).
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <mutex>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "micro/micro.hpp"
#include "async_endpoints.hpp"
#include "numbered.hpp"

namespace {

using json = nlohmann::json;

std::mutex out_mutex;
const bool report_events = [] {
  const char* v = std::getenv("TEST_STREAM_EVENTS");
  return v == nullptr || std::string{v} != "0";
}();

void report_end(const std::string& endpoint, const micro::status& st, uint64_t received) {
  if (!report_events)
    return;
  json ev{{"event", "stream-end"}, {"endpoint", endpoint}, {"code", st ? 0 : st.error().code}, {"received", received}};
  std::lock_guard<std::mutex> guard{out_mutex};
  std::cout << ev.dump() << std::endl;
}

using micro::test::numbered;
using micro::test::sequence_of;

// Reads everything; true if the messages came numbered 0, 1, 2, ...
micro::status sink(micro::raw_stream& s, std::chrono::milliseconds pause) {
  std::string body;
  uint64_t received = 0;
  bool in_order = true;
  while (s.recv(body)) {
    in_order = in_order && sequence_of(body) == received;
    ++received;
    if (pause.count() > 0)
      std::this_thread::sleep_for(pause);
  }
  auto st = s.final_status();
  if (st)
    st = s.send(json{{"received", received}, {"in_order", in_order}}.dump());
  report_end(s.ctx().endpoint(), st, received);
  return {};
}

}  // namespace

int main(int argc, char** argv) {
  micro::service svc{micro::options{}.with_name("stream-test")};
  svc.init(argc, argv);
  auto& srv = svc.server();
  auto raw_info = [](const char* name) { return micro::registry::endpoint{name, "bytes", "bytes", {}}; };

  // TEST_STREAM_ASYNC=1: the same endpoints without a thread per stream (async_endpoints.hpp).
  const char* async = std::getenv("TEST_STREAM_ASYNC");
  bool serve_async = async != nullptr && std::string{async} == "1";
  if (serve_async)
    micro::test::serve_async_streams(srv, report_end);
  if (!serve_async) {
  srv.handle_stream_raw(raw_info("Stream.Echo"), [](micro::raw_stream& s) {
    std::string body;
    uint64_t received = 0;
    micro::status st;
    while (st && s.recv(body)) {
      ++received;
      st = s.send(std::move(body));
    }
    report_end("Stream.Echo", st ? s.final_status() : st, received);
    return micro::status{};
  });
  srv.handle_stream_raw(raw_info("Stream.Sink"), [](micro::raw_stream& s) { return sink(s, {}); });
  srv.handle_stream("Stream.Count", [](const micro::context& ctx, micro::server_stream<json, json>& s) {
    json ask;
    if (!s.recv(ask)) {
      report_end("Stream.Count", s.final_status(), 0);
      return;
    }
    auto count = ask.value("count", 0ULL);
    auto size = ask.value("size", std::size_t{0});
    bool raw = ctx.get("raw").value_or("") == "1";
    micro::status st;
    uint64_t sent = 0;
    for (; st && sent < count; ++sent)
      st = raw ? s.raw().send(numbered(sent, size)) : s.send(json{{"i", sent}, {"pad", std::string(size, 'p')}});
    report_end("Stream.Count", st, 1);
  });
  srv.handle_stream_raw(raw_info("Stream.Wait"), [](micro::raw_stream& s) {
    std::string body;
    uint64_t received = 0;
    while (s.recv(body))
      ++received;
    report_end("Stream.Wait", s.final_status(), received);
    return micro::status{};
  });
  srv.handle_stream_raw(raw_info("Stream.Fail"), [](micro::raw_stream& s) -> micro::status {
    for (int i = 0; i < 3; ++i)
      s.send("m" + std::to_string(i));
    report_end("Stream.Fail", micro::errors::conflict("test.stream", "failing on purpose"), 0);
    throw micro::errors::conflict("test.stream", "failing on purpose");
  });
  srv.handle_stream_raw(raw_info("Stream.Quit"), [](micro::raw_stream& s) {
    s.send("a");
    s.send("b");
    s.cancel("server gave up");
    report_end("Stream.Quit", s.final_status(), 0);
    return micro::status{};
  });
  }
  srv.handle_stream_raw(raw_info("Stream.Slow"), [](micro::raw_stream& s) {
    auto ms = s.ctx().get("sleep_ms");
    return sink(s, std::chrono::milliseconds{ms ? std::stol(*ms) : 1});
  });
  srv.handle("Test.Ping", [](const micro::context&, const json&, json& rsp) { rsp = json::object(); });

  if (auto st = svc.start(); !st) {
    std::cerr << st.error().to_json() << std::endl;
    return 1;
  }
  // The node's metadata follows the address as in a static registry entry (";transport=tcp;..."):
  // the test's clients then open their streams over that transport, as a registry's would.
  std::string meta;
  for (auto& [k, v] : svc.node_metadata())
    if (k.rfind("transport", 0) == 0 || k == "tls") meta += ";" + k + "=" + v;
  std::cout << "listening " << svc.address() << meta << std::endl;
  return svc.run();
}
