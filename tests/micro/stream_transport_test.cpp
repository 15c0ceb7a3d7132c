// Streams end to end in one process, between a service node and the process's client, over each
// byte transport a stream can ride (memory, tcp: actors/transport_streams.hpp), against both forms
// of server endpoint (a thread per stream, handle_stream; callbacks, handle_stream_async). The
// multi-process stream suite (tests/stream) covers tcp and caf with real processes; here memory
// gets the same round trip and the server ending a stream mid-way.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "micro/micro.hpp"

using namespace std::chrono_literals;

namespace {

using bytes_in = micro::server_stream<std::string, std::string>;
using bytes_async = micro::async_server_stream<std::string, std::string>;
using bytes_out = micro::client_stream<std::string, std::string>;

// More than two windows (64 by default): credit goes back and forth several times each way.
constexpr int messages = 300;
// The server ends "Stream.Stop" with this after reading this many messages.
constexpr int stop_after = 3;

// Both sides' endpoint actors go once the stream is over (bounded wait: they go on their own threads).
bool streams_gone() {
  for (auto until = std::chrono::steady_clock::now() + 10s; micro::live_streams() != 0;) {
    if (std::chrono::steady_clock::now() >= until)
      return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

std::string unique_name(const std::string& transport, bool async) {
  static std::atomic<int> n{0};
  return "stream-" + transport + (async ? "-async-" : "-blocking-") + std::to_string(++n);
}

// Stream.Echo: every message back, then "done N" after the client's half-close, ended ok.
// Stream.Stop: reads stop_after messages, then ends the stream with 409 while the client sends.
void serve(micro::server& srv, bool async) {
  if (!async) {
    srv.handle_stream("Stream.Echo", [](const micro::context&, bytes_in& s) {
      std::string msg;
      int n = 0;
      while (s.recv(msg)) {
        ++n;
        if (!s.send("echo " + msg))
          return;
      }
      s.send("done " + std::to_string(n));
    });
    srv.handle_stream("Stream.Stop", [](const micro::context&, bytes_in& s) -> micro::status {
      std::string msg;
      for (int n = 0; n < stop_after && s.recv(msg); ++n) {
      }
      return micro::errors::conflict("stream-test", "the server stopped the stream");
    });
    return;
  }
  srv.handle_stream_async("Stream.Echo", [](const micro::context&, bytes_async s) {
    // At most one reply waits for room: reading pauses meanwhile.
    auto waiting = std::make_shared<std::string>();
    auto n = std::make_shared<int>(0);
    s.on_message([s, waiting, n](const std::string& msg) mutable {
      ++*n;
      if (!s.try_send("echo " + msg)) {
        *waiting = "echo " + msg;
        s.pause_reading();
      }
    });
    s.on_writable([s, waiting]() mutable {
      if (s.try_send(*waiting))
        s.resume_reading();
    });
    s.on_half_close([s, n]() mutable {
      s.try_send("done " + std::to_string(*n));  // the client reads as it goes: there is room
      s.finish();
    });
  });
  srv.handle_stream_async("Stream.Stop", [](const micro::context&, bytes_async s) {
    auto n = std::make_shared<int>(0);
    s.on_message([s, n](const std::string&) mutable {
      if (++*n == stop_after)
        s.finish(micro::errors::conflict("stream-test", "the server stopped the stream"));
    });
  });
}

struct node {
  std::string name;
  micro::service svc;
  node(const std::string& transport, bool async)
    : name{unique_name(transport, async)},
      svc{micro::options{}
            .with_name(name)
            .with_server_address("127.0.0.1:0")
            .with_registry("memory", "test-micro-streams")
            .with_transport(transport)} {
    serve(svc.server(), async);
  }
};

}  // namespace

TEST_CASE("a stream over an in-process byte transport carries messages both ways and ends well",
          "[stream][transport]") {
  auto transport = GENERATE(as<std::string>{}, "memory", "tcp");
  auto async = GENERATE(false, true);
  INFO("transport " << transport << (async ? ", handle_stream_async" : ", handle_stream"));
  node server{transport, async};
  REQUIRE(server.svc.start().ok());
  REQUIRE(server.svc.node_metadata()["transport"] == transport);

  auto s = server.svc.client().stream<std::string, std::string>(server.name, "Stream.Echo",
                                                                micro::stream_options{}.with_timeout(30s));
  INFO((s.ok() ? std::string{} : s.error().to_json()));
  REQUIRE(s.ok());
  // Sends on a thread of its own while this one reads: neither side's window can stall the other.
  std::thread sender{[&] {
    for (int i = 0; i < messages; ++i)
      if (!s->send(std::to_string(i)))
        break;
    s->close_send();
  }};
  std::string msg;
  int next = 0;
  bool in_order = true;
  while (next < messages && s->recv(msg))
    in_order = in_order && msg == "echo " + std::to_string(next++);
  sender.join();
  CHECK(in_order);
  CHECK(next == messages);
  REQUIRE(s->recv(msg));
  CHECK(msg == "done " + std::to_string(messages));
  CHECK_FALSE(s->recv(msg));
  auto end = s->finish();
  INFO((end.ok() ? std::string{} : end.error().to_json()));
  CHECK(end.ok());
  CHECK(streams_gone());
  CHECK(server.svc.stop().ok());
}

TEST_CASE("a server that ends a stream mid-way ends the client's side with its code", "[stream][transport]") {
  auto transport = GENERATE(as<std::string>{}, "memory", "tcp");
  auto async = GENERATE(false, true);
  INFO("transport " << transport << (async ? ", handle_stream_async" : ", handle_stream"));
  node server{transport, async};
  REQUIRE(server.svc.start().ok());

  auto s = server.svc.client().stream<std::string, std::string>(server.name, "Stream.Stop",
                                                                micro::stream_options{}.with_timeout(30s));
  INFO((s.ok() ? std::string{} : s.error().to_json()));
  REQUIRE(s.ok());
  // The client keeps sending: its sends fail once the server's end has arrived (bounded: the
  // server stops after a few, and a window of credit is all that is ever granted).
  int sent = 0;
  while (sent < 100000 && s->send("more"))
    ++sent;
  CHECK(sent >= stop_after);
  CHECK(sent < 100000);
  std::string msg;
  CHECK_FALSE(s->recv(msg));
  auto end = s->finish();
  REQUIRE_FALSE(end.ok());
  CHECK(end.error().code == 409);
  CHECK(end.error().detail == "the server stopped the stream");
  CHECK(streams_gone());
  CHECK(server.svc.stop().ok());
}
