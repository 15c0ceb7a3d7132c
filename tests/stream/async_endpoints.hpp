#pragma once
// The stream test server's endpoints written with handle_stream_async (no thread per stream):
// the same names and the same behaviour as the blocking ones in stream_test_server.cpp, so the
// whole stream suite runs against either (TEST_STREAM_ASYNC=1 picks these). Stream.Slow stays
// blocking in both: sleeping per message is what it is for, and callbacks must not sleep.

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "micro/micro.hpp"
#include "numbered.hpp"

namespace micro::test {

using stream_reporter = std::function<void(const std::string& endpoint, const micro::status&, uint64_t received)>;

namespace async_detail {

// Sends what try_send refused once the client has room; reading pauses meanwhile, so at most one
// refused message waits here per stream (bounded memory however fast the client sends).
struct outbox {
  micro::raw_async_server_stream s;
  std::deque<std::string> waiting;
  std::function<void()> after_drained;  // e.g. finish once everything went out

  void send(std::string body) {
    if (waiting.empty() && s.try_send(body))
      return;
    if (!s.ended()) {
      waiting.push_back(std::move(body));
      s.pause_reading();
    }
  }
  void drain() {  // on_writable
    while (!waiting.empty()) {
      if (!s.try_send(waiting.front()))
        return;
      waiting.pop_front();
    }
    s.resume_reading();
    if (after_drained)
      std::exchange(after_drained, nullptr)();
  }
  void then(std::function<void()> f) {  // runs f now if nothing waits, else once drained
    if (waiting.empty())
      f();
    else
      after_drained = std::move(f);
  }
};

}  // namespace async_detail

inline void serve_async_streams(micro::server& srv, stream_reporter report) {
  using json = nlohmann::json;
  using async_detail::outbox;
  auto raw_info = [](const char* name) { return micro::registry::endpoint{name, "bytes", "bytes", {}}; };

  srv.handle_stream_async_raw(raw_info("Stream.Echo"), [report](micro::raw_async_server_stream s) {
    auto out = std::make_shared<outbox>(outbox{s, {}, {}});
    auto received = std::make_shared<uint64_t>(0);
    s.on_message([out, received](std::string body) {
      ++*received;
      out->send(std::move(body));
    });
    s.on_writable([out] { out->drain(); });
    s.on_half_close([out] { out->then([s = out->s]() mutable { s.finish(); }); });
    s.on_end([report, received](const micro::status& st) { report("Stream.Echo", st, *received); });
  });

  srv.handle_stream_async_raw(raw_info("Stream.Sink"), [report](micro::raw_async_server_stream s) {
    struct tally {
      uint64_t received = 0;
      bool in_order = true;
    };
    auto t = std::make_shared<tally>();
    s.on_message([t](std::string body) {
      t->in_order = t->in_order && sequence_of(body) == t->received;
      ++t->received;
    });
    s.on_half_close([s, t]() mutable {
      s.try_send(json{{"received", t->received}, {"in_order", t->in_order}}.dump());  // the client has room for one
      s.finish();
    });
    s.on_end([report, t](const micro::status& st) { report("Stream.Sink", st, t->received); });
  });

  // Server streaming: one request, then `count` messages as fast as the client takes them.
  srv.handle_stream_async("Stream.Count", [report](const micro::context& ctx, micro::async_server_stream<json, json> s) {
    struct producer {
      micro::async_server_stream<json, json> s;
      uint64_t count = 0, sent = 0;
      std::size_t size = 0;
      bool raw = false, started = false;
      void pump() {
        for (; sent < count; ++sent) {
          auto st = raw ? s.raw().try_send(numbered(sent, size)) : s.try_send(json{{"i", sent}, {"pad", std::string(size, 'p')}});
          if (!st)
            return;  // 429: on_writable pumps again; an ended stream: on_end reports
        }
        s.finish();
      }
    };
    auto p = std::make_shared<producer>();
    p->s = s;
    p->raw = ctx.get("raw").value_or("") == "1";
    s.on_message([p](const json& ask) {
      if (p->started)
        return;
      p->started = true;
      p->count = ask.value("count", 0ULL);
      p->size = ask.value("size", std::size_t{0});
      p->pump();
    });
    s.on_writable([p] { p->pump(); });
    s.on_end([report, p](const micro::status& st) { report("Stream.Count", st, p->started ? 1 : 0); });
  });

  srv.handle_stream_async_raw(raw_info("Stream.Wait"), [report](micro::raw_async_server_stream s) {
    auto received = std::make_shared<uint64_t>(0);
    s.on_message([received](std::string) { ++*received; });
    s.on_half_close([s]() mutable { s.finish(); });
    s.on_end([report, received](const micro::status& st) { report("Stream.Wait", st, *received); });
  });

  srv.handle_stream_async_raw(raw_info("Stream.Fail"), [report](micro::raw_async_server_stream s) {
    for (int i = 0; i < 3; ++i)
      s.try_send("m" + std::to_string(i));  // the client's window is far larger than 3
    auto failure = micro::errors::conflict("test.stream", "failing on purpose");
    report("Stream.Fail", failure, 0);
    s.finish(failure);
  });

  srv.handle_stream_async_raw(raw_info("Stream.Quit"), [report](micro::raw_async_server_stream s) {
    s.try_send("a");
    s.try_send("b");
    s.cancel("server gave up");
    report("Stream.Quit", micro::make_error("micro.stream", micro::stream_cancelled_code, "server gave up"), 0);
  });
}

}  // namespace micro::test
