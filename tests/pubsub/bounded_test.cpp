// Bounded subscribers: past its window a subscription drops what comes (counted in Debug.Stats,
// reported to the publisher), and a slow subscription never stalls the node's other ones.
#include <catch2/catch.hpp>

#include <cstdio>
#include <numeric>
#include <thread>

#include "pubsub_helpers.hpp"

using namespace micro;
using namespace micro::test;

TEST_CASE("a full subscription drops and counts, and the node's other subscriptions keep flowing",
          "[pubsub][mdns][actor][bounded]") {
  if (!actor_broker_or_skip("subscription windows"))
    return;
  auto c = publisher_client();
  const auto slow = unique_name("bounded-slow");
  const auto fast = unique_name("bounded-fast");
  subscriber_config cfg{unique_name("bounded"), slow + "," + fast};
  cfg.window = 4;
  cfg.refuse_when_full = true;  // micro's default
  auto sub = start_subscriber(cfg);
  await_subscribed(*c, slow, {sub.get()});
  await_subscribed(*c, fast, {sub.get()});

  // 40 asynchronous publications whose handler sleeps 300 ms: 4 fit, the rest are dropped.
  constexpr int n_slow = 40, n_fast = 200;
  for (int i = 1; i <= n_slow; ++i)
    REQUIRE(c->publish(slow, tick(i), publish_options{}.with_mode(delivery::async).with_metadata("sleep_ms", "300")).ok());
  REQUIRE(c->flush_publications(10s));
  auto stats = c->publications();
  CHECK(stats.failed >= n_slow - 4 - 1);
  // Meanwhile the fast topic on the same node is not held up behind the slow one.
  auto t0 = steady_clock::now();
  // (Its window is 4 as well: a 429 there means its own handler is 4 behind, so it is retried
  // once the subscriber printed something more.)
  int fast_retries = 0;
  for (int i = 1; i <= n_fast; ++i) {
    auto st = c->publish(fast, tick(i), publish_options{}.with_mode(delivery::acknowledged));
    INFO("publication " << i << ": " << (st ? std::string{"ok"} : st.error().to_json()));
    if (!st && st.error().code == 429 && st.error().detail.find(fast) != std::string::npos && fast_retries < 10000) {
      ++fast_retries;
      sub->poll(1ms);
      --i;
      continue;
    }
    REQUIRE(st.ok());
  }
  auto fast_ms = ms_since(t0);
  CHECK(fast_ms < 1000);  // 4 slow handlers take 1.2 s: not waited for

  auto dropped = [&](const json& s) { return s["subscriptions"][slow].value("dropped", 0ULL); };
  auto st = c->call<json>(cfg.name, "Debug.Stats", json::object());
  REQUIRE(st);
  INFO(st->dump());
  CHECK(dropped(*st) == stats.failed);
  CHECK((*st)["subscriptions"][fast].value("delivered", 0ULL) >= 1);
  std::printf("pubsub: bounded: %d slow publications, %llu dropped (Debug.Stats %llu); %d fast ones in %lld ms meanwhile\n",
              n_slow, static_cast<unsigned long long>(stats.failed), static_cast<unsigned long long>(dropped(*st)), n_fast,
              fast_ms);
}

TEST_CASE("a subscriber that stops reading stays bounded in memory", "[pubsub][mdns][actor][bounded]") {
  if (!actor_broker_or_skip("subscription windows"))
    return;
  auto c = publisher_client();
  const auto topic = unique_name("stuck");
  subscriber_config cfg{unique_name("stuck"), topic};
  cfg.refuse_when_full = true;  // micro's default (the test server's is to wait), default window
  auto sub = start_subscriber(cfg);
  await_subscribed(*c, topic, {sub.get()});
  const long rss_before = sub->rss_kb();

  // The first handler run never ends (in this test's time): everything after it queues until
  // the window is full, then is dropped.
  REQUIRE(c->publish(topic, tick(1), publish_options{}.with_metadata("sleep_ms", "600000")).ok());
  constexpr uint64_t n = 300000;
  const auto async_mode = publish_options{}.with_mode(delivery::async);
  uint64_t refused_locally = 0;
  for (uint64_t i = 2; i <= n; ++i) {
    auto st = c->publish(topic, tick(i, 64), async_mode);
    if (!st) {
      if (st.error().code != 429)  // the publisher's own queue: back off
        FAIL(st.error().to_json());
      ++refused_locally;
      --i;
      std::this_thread::yield();
    }
  }
  REQUIRE(c->flush_publications(30s));
  const long rss_after = sub->rss_kb();
  auto stats = c->publications();
  auto st = c->call<json>(sub->srv.name, "Debug.Stats", json::object());
  REQUIRE(st);
  auto counters = (*st)["subscriptions"][topic];
  INFO(st->dump());
  CHECK(counters.value("queued", 0ULL) == 65536);
  CHECK(counters.value("dropped", 0ULL) >= n - 1 - 65536 - 1);
  CHECK(stats.failed == counters.value("dropped", 0ULL) + refused_locally);
  // 65,536 queued publications of ~100 bytes plus their bookkeeping; far from 300,000. (Not
  // under AddressSanitizer: its quarantine and shadow memory are most of the RSS there.)
#ifndef __SANITIZE_ADDRESS__
  CHECK(rss_after - rss_before < 100 * 1024);
#endif
  std::printf("pubsub: a subscriber that stopped reading, %llu publications: RSS %ld -> %ld kB (+%ld kB), %llu queued, "
              "%llu dropped\n",
              static_cast<unsigned long long>(n), rss_before, rss_after, rss_after - rss_before,
              static_cast<unsigned long long>(counters.value("queued", 0ULL)),
              static_cast<unsigned long long>(counters.value("dropped", 0ULL)));
  sub->srv.proc->kill();
}
