// Nothing leaks: after 10,000 streams opened and ended (normally, by cancel, by the handler's
// error), the stream actors on both sides are gone and the server's memory is back near where
// it started.
#include <atomic>

#include <catch2/catch.hpp>

#include "stream_helpers.hpp"

using namespace micro::test;

namespace {

// One stream ended in one of three ways; false (with `why`) if it did not behave.
bool one_stream(micro::client& c, int kind, std::string& why) {
  auto s = c.stream_raw({}, "streams", kind == 2 ? "Stream.Fail" : "Stream.Echo");
  if (!s) {
    why = s.error().to_json();
    return false;
  }
  std::string body;
  if (kind == 0) {  // normal: one message each way, half-close, final status
    if (!s->send("ping").ok() || !s->recv(body) || body != "ping") {
      why = "echo failed";
      return false;
    }
    auto st = s->finish();
    why = st ? "" : st.error().to_json();
    return st.ok();
  }
  if (kind == 1) {  // cancelled by the client mid-stream
    s->send("ping");
    s->cancel();
    return s->finish().error().code == micro::stream_cancelled_code;
  }
  while (s->recv(body)) {  // ended by the handler's error
  }
  return s->final_status().error().code == 409;
}

// `n` streams from `threads` threads; returns how many misbehaved (the first reason in `why`).
int run_streams(micro::client& c, int n, int threads, std::string& why) {
  std::atomic<int> next{0};
  std::atomic<int> bad{0};
  std::mutex why_mutex;
  std::vector<joining_thread> workers;
  for (int t = 0; t < threads; ++t)
    workers.emplace_back([&] {
      for (int i = next++; i < n; i = next++) {
        std::string reason;
        if (!one_stream(c, i % 3, reason)) {
          if (bad++ == 0) {
            std::lock_guard<std::mutex> guard{why_mutex};
            why = reason;
          }
        }
      }
    });
  workers.clear();
  return bad;
}

}  // namespace

TEST_CASE("10,000 streams ended normally, by cancel and by error leave no stream actors and no memory behind",
          "[stream][leak]") {
  // Quiet: the harness keeps every line a server prints, which would grow this process by
  // ~350 bytes per stream (measured with heaptrack; micro itself stays flat).
  auto server = start_stream_server("streams", {{"MICRO_SERVER_MAX_STREAMS", "100000"}, {"TEST_STREAM_EVENTS", "0"}});
  auto client = make_client(server);
  std::string why;
  // Warm-up: the allocator's and CAF's pools reach their working size first.
  REQUIRE(run_streams(*client, 2000, 4, why) == 0);
  auto settled = [&] {
    auto stats = server_stats(*client, "streams");
    return micro::live_streams() == 0 && stats.is_object() && stats.value("stream_actors", -1) == 0
           && stats.value("streams_open", -1) == 0;
  };
  REQUIRE(eventually(settled));
  auto before = server_stats(*client, "streams");
#if !defined(__SANITIZE_ADDRESS__)
  auto own_before = own_rss();
#endif

  CHECK(run_streams(*client, 10000, 4, why) == 0);
  INFO("first failure: " << why);

  CHECK(eventually(settled));
  auto after = server_stats(*client, "streams");
  CHECK(micro::live_streams() == 0);
  CHECK(after.value("stream_actors", -1) == 0);
  CHECK(after.value("streams_open", -1) == 0);
  CHECK(after.value("streams_total", 0) - before.value("streams_total", 0) == 10000);
#if !defined(__SANITIZE_ADDRESS__)
  auto grown = after.value("memory", 0LL) - before.value("memory", 0LL);
  auto own_grown = own_rss() - own_before;
  INFO("server RSS grew by " << grown << " bytes, client's by " << own_grown);
  // A leak of even one stream actor with its channel per stream would be several MiB here.
  CHECK(grown < (4LL << 20));
  CHECK(own_grown < (4LL << 20));
#endif
}
