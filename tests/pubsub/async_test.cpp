// Asynchronous publishing (the default mode): publish returns once queued locally; what some
// node did not accept reaches the client's counters and failure callback, never the caller.
#include <catch2/catch.hpp>

#include <atomic>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <mutex>
#include <numeric>

#include "pubsub_helpers.hpp"

using namespace micro;
using namespace micro::test;

namespace {

const auto async_mode = publish_options{}.with_mode(delivery::async);

std::vector<uint64_t> range(uint64_t first, uint64_t last) {
  std::vector<uint64_t> v(last - first + 1);
  std::iota(v.begin(), v.end(), first);
  return v;
}

}  // namespace

TEST_CASE("asynchronous publications reach every subscriber in order and are counted", "[pubsub][mdns][async]") {
  auto c = publisher_client();
  const auto topic = unique_name("async");
  auto a = start_subscriber({unique_name("async-a"), topic});
  auto b = start_subscriber({unique_name("async-b"), topic});
  await_subscribed(*c, topic, {a.get(), b.get()});

  constexpr uint64_t n = 5000;
  auto t0 = steady_clock::now();
  for (uint64_t i = 1; i <= n; ++i)
    REQUIRE(c->publish(topic, tick(i), async_mode).ok());
  auto queued_ms = ms_since(t0);
  REQUIRE(c->flush_publications(10s));
  auto settled_ms = ms_since(t0);
  auto stats = c->publications();
  CHECK(stats.published == n);
  CHECK(stats.failed == 0);
  CHECK(stats.in_flight == 0);
  REQUIRE(drain(*c, topic, {a.get(), b.get()}));
  CHECK(a->seqs() == range(1, n));
  CHECK(b->seqs() == range(1, n));
  std::printf("pubsub: %llu asynchronous publications to 2 subscribers (%s): queued in %lld ms, settled in %lld ms\n",
              static_cast<unsigned long long>(n), broker_kind().c_str(), queued_ms, settled_ms);
}

TEST_CASE("asynchronous publications to a frozen subscriber never block and are reported as failed",
          "[pubsub][mdns][async][actor]") {
  if (!actor_broker_or_skip("node-down handling"))
    return;
  auto c = publisher_client();
  const auto topic = unique_name("async-frozen");
  auto frozen = start_subscriber({unique_name("async-victim"), topic});
  // The other one must get every publication however slowly it runs (ASan, a loaded machine):
  // a window above what the loop below can publish, so none waits past its publish timeout.
  subscriber_config other_cfg{unique_name("async-other"), topic};
  other_cfg.window = std::size_t{1} << 20;
  auto other = start_subscriber(other_cfg);
  await_subscribed(*c, topic, {frozen.get(), other.get()});
  std::mutex m;
  std::vector<std::string> errors_seen;
  std::atomic<int> callbacks{0};
  c->on_publish_error([&](const std::string&, const error& err) {
    if (callbacks++ < 5) {
      std::lock_guard<std::mutex> guard{m};
      errors_seen.push_back(err.detail);
    }
  });

  REQUIRE(frozen->srv.proc->freeze());
  uint64_t seq = 0;
  std::vector<uint64_t> queued;  // the ones publish took (a full local queue refuses with 429)
  long long slowest_us = 0;
  auto t0 = steady_clock::now();
  // Until the broker knows it is down (heartbeats: 1 s connection timeout) and a while after.
  while (callbacks.load() < 1000 && steady_clock::now() - t0 < 15s) {
    auto t = steady_clock::now();
    auto st = c->publish(topic, tick(++seq), publish_options{async_mode}.with_timeout(3000ms));
    slowest_us = std::max<long long>(slowest_us, std::chrono::duration_cast<std::chrono::microseconds>(steady_clock::now() - t).count());
    if (st)
      queued.push_back(seq);
    else if (st.error().code != 429)  // the only refusal: the local queue is full
      FAIL("publish " << seq << ": " << st.error().to_json());
  }
  REQUIRE(frozen->srv.proc->signal(SIGCONT));
  REQUIRE(c->flush_publications(10s));
  auto stats = c->publications();
  CHECK(callbacks.load() >= 1000);
  CHECK(stats.failed >= 1000);
  CHECK(stats.published + stats.failed == seq);  // refusals included
  {
    std::lock_guard<std::mutex> guard{m};
    REQUIRE_FALSE(errors_seen.empty());
    for (auto& e : errors_seen)
      CHECK(e.find(frozen->srv.address) != std::string::npos);
  }
  // The publisher never waited for the frozen node: waiting would take the 1 s connection
  // timeout or the 3 s publish timeout. (A tighter bound failed under load: a loaded 2-core
  // machine can hold a thread that long without micro waiting for anything.)
  CHECK(slowest_us < 1000000);
  // The other subscriber got every one.
  REQUIRE(drain(*c, topic, {other.get()}));
  auto got = other->seqs();
  CHECK(got.size() == queued.size());
  CHECK((got == queued));
  std::printf("pubsub: async to a frozen subscriber: %llu publications, %llu reported failed, slowest publish call %lld us\n",
              static_cast<unsigned long long>(seq), static_cast<unsigned long long>(stats.failed), slowest_us);
}

TEST_CASE("acknowledged publications can be pipelined from one thread", "[pubsub][mdns][async]") {
  auto c = publisher_client();
  const auto topic = unique_name("pipelined");
  auto a = start_subscriber({unique_name("pipelined-a"), topic});
  await_subscribed(*c, topic, {a.get()});

  constexpr uint64_t n = 2000;
  std::mutex m;
  std::condition_variable cv;
  uint64_t answered = 0, failed = 0;
  auto t0 = steady_clock::now();
  for (uint64_t i = 1; i <= n; ++i) {
    raw_message msg;
    msg.content_type = "application/protobuf";
    tick(i).SerializeToString(&msg.body);
    c->publish_acknowledged(topic, msg, [&](const status& st) {
      std::lock_guard<std::mutex> guard{m};
      ++answered;
      if (!st)
        ++failed;
      cv.notify_all();
    });
  }
  auto queued_ms = ms_since(t0);
  {
    std::unique_lock<std::mutex> lock{m};
    REQUIRE(cv.wait_for(lock, 20s, [&] { return answered == n; }));
    CHECK(failed == 0);
  }
  auto acked_ms = ms_since(t0);
  REQUIRE(drain(*c, topic, {a.get()}));
  CHECK(a->seqs() == range(1, n));
  std::printf("pubsub: %llu pipelined acknowledged publications (%s): sent in %lld ms, all acknowledged after %lld ms\n",
              static_cast<unsigned long long>(n), broker_kind().c_str(), queued_ms, acked_ms);
}
