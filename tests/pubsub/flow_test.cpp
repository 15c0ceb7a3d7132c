// Back-pressure: a slow subscriber with a small in-flight window makes its publishers wait (its
// memory stays bounded), or, with refuse_when_full, refuses with 429. Windows are a feature of
// the actor broker: [actor].
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <mutex>
#include <numeric>

#include "pubsub_helpers.hpp"

using namespace micro;
using namespace micro::test;

namespace {

constexpr int publisher_threads = 4;
constexpr uint64_t per_thread = 125;  // 500 in all
constexpr uint64_t total = publisher_threads * per_thread;
constexpr std::size_t payload = 64 * 1024;  // 500 of them: ~32 MB if anybody buffered them all

struct outcome {
  uint64_t seq;
  bool ok;
  int32_t code;
  std::string detail;
};

// Publishes Ticks 1..total on `topic` from `publisher_threads` threads (thread t publishes
// t*per_thread+1 .. (t+1)*per_thread, in order), as fast as publish returns.
class publishers {
 public:
  publishers(client& c, const std::string& topic) {
    for (int t = 0; t < publisher_threads; ++t)
      threads_.emplace_back([this, &c, topic, t] {
        for (uint64_t i = 1; i <= per_thread; ++i) {
          const uint64_t seq = static_cast<uint64_t>(t) * per_thread + i;
          auto st = c.publish(topic, tick(seq, payload));
          std::lock_guard<std::mutex> guard{mutex_};
          outcomes_.push_back(outcome{seq, st.ok(), st ? 0 : st.error().code, st ? "" : st.error().to_json()});
        }
        ++finished_;
      });
  }
  bool done() const { return finished_ == publisher_threads; }
  std::vector<outcome> join() {
    for (auto& t : threads_)
      t.join();
    return outcomes_;
  }

 private:
  std::mutex mutex_;
  std::vector<outcome> outcomes_;
  std::atomic<int> finished_{0};
  std::vector<joining_thread> threads_;
};

std::vector<uint64_t> sorted(std::vector<uint64_t> v) {
  std::sort(v.begin(), v.end());
  return v;
}

}  // namespace

TEST_CASE("a slow subscriber with a small window makes its publishers wait", "[pubsub][mdns][actor]") {
  if (!actor_broker_or_skip("the in-flight window"))
    return;
  auto c = publisher_client();
  const auto topic = unique_name("slow");
  subscriber_config cfg{unique_name("slow-svc"), topic};
  cfg.window = 10;
  cfg.delay_ms = 2;
  auto s = start_subscriber(cfg);
  await_subscribed(*c, topic, {s.get()});

  auto t0 = steady_clock::now();
  long long publish_ms = -1;
  long rss_after_50 = -1, rss_max = -1;
  {
    publishers pubs{*c, topic};
    // Reads what the subscriber prints while the publishers run; samples its memory.
    REQUIRE(s->read_until(
        [&] {
          auto n = s->received().size();
          if (n >= 50 && rss_after_50 < 0)
            rss_after_50 = s->rss_kb();
          if (rss_after_50 >= 0 && n % 10 == 0)
            rss_max = std::max(rss_max, s->rss_kb());
          if (pubs.done() && publish_ms < 0)
            publish_ms = ms_since(t0);
          return n >= total;
        },
        60s));
    auto outcomes = pubs.join();
    if (publish_ms < 0)
      publish_ms = ms_since(t0);
    REQUIRE(outcomes.size() == total);
    std::size_t failed = 0;
    for (auto& o : outcomes)
      if (!o.ok) {
        ++failed;
        if (failed <= 3)
          UNSCOPED_INFO("publication " << o.seq << " failed: " << o.detail);
      }
    CHECK(failed == 0);
  }
  rss_max = std::max(rss_max, s->rss_kb());
  REQUIRE(drain(*c, topic, {s.get()}));

  std::vector<uint64_t> all(total);
  std::iota(all.begin(), all.end(), 1);
  CHECK(sorted(s->seqs()) == all);
  CHECK(duplicates(s->seqs()).empty());
  // The window holds at most 10 publications (640 KB); everything else waits at the publishers.
  // Buffering the 450 after the 50th would take 28 MB of bodies alone.
  REQUIRE(rss_after_50 > 0);
#if defined(__SANITIZE_ADDRESS__)
  // ASan keeps freed memory in its quarantine (256 MB by default) to catch use after free, so
  // RSS grows with everything freed and says nothing about buffering; the bound is checked in
  // the plain build only.
  WARN("ASan build: RSS growth " << (rss_max - rss_after_50) << " kB not checked (quarantine)");
#else
  CHECK(rss_max - rss_after_50 < 12 * 1024);
#endif
  // A handler takes at least 2 ms and at most 10 are accepted ahead of it, so the last publish
  // cannot return before ~480 handlers ran: the publishers did wait.
  CHECK(publish_ms >= 900);
  std::printf("pubsub: window 10, 2 ms handler, 500 x 64 KB from 4 threads: %lld ms; subscriber RSS %ld kB "
              "after 50, at most %ld kB\n",
              publish_ms, rss_after_50, rss_max);
}

namespace {

// 500 publications from 4 threads to a subscriber with window 10, a 2 ms handler and
// refuse_when_full: what the publishers were told, and what the subscriber got.
struct refusal_run {
  std::vector<uint64_t> accepted, refused, other, delivered, refused_but_delivered;
  std::vector<int32_t> refusal_codes;
};

refusal_run run_refusals(const std::string& base) {
  auto c = publisher_client();
  const auto topic = unique_name(base);
  subscriber_config cfg{unique_name(base + "-svc"), topic};
  cfg.window = 10;
  cfg.delay_ms = 2;
  cfg.refuse_when_full = true;
  auto s = start_subscriber(cfg);
  await_subscribed(*c, topic, {s.get()});

  std::vector<outcome> outcomes;
  {
    publishers pubs{*c, topic};
    s->read_until([&] { return pubs.done(); }, 60s);  // keeps the pipe drained while they run
    outcomes = pubs.join();
  }
  REQUIRE(drain(*c, topic, {s.get()}));
  REQUIRE(outcomes.size() == total);

  refusal_run r;
  for (auto& o : outcomes) {
    if (o.ok) {
      r.accepted.push_back(o.seq);
    } else if (o.detail.find("is full") != std::string::npos) {
      r.refused.push_back(o.seq);
      r.refusal_codes.push_back(o.code);
    } else {
      r.other.push_back(o.seq);
      UNSCOPED_INFO("publication " << o.seq << " failed: " << o.detail);
    }
  }
  r.accepted = sorted(r.accepted);
  r.refused = sorted(r.refused);
  r.delivered = sorted(s->seqs());
  std::set_intersection(r.delivered.begin(), r.delivered.end(), r.refused.begin(), r.refused.end(),
                        std::back_inserter(r.refused_but_delivered));
  std::printf("pubsub: refuse_when_full, window 10, 2 ms handler, 500 from 4 threads: %zu accepted, %zu refused, "
              "%zu other errors, %zu delivered, %zu of the refused delivered anyway\n",
              r.accepted.size(), r.refused.size(), r.other.size(), r.delivered.size(),
              r.refused_but_delivered.size());
  return r;
}

}  // namespace

TEST_CASE("a full subscriber that refuses sends refusals and delivers what it accepted", "[pubsub][mdns][actor]") {
  if (!actor_broker_or_skip("refuse_when_full"))
    return;
  auto r = run_refusals("refuse");
  CHECK(r.other.empty());
  CHECK_FALSE(r.refused.empty());
  CHECK_FALSE(r.accepted.empty());
  CHECK(std::all_of(r.refusal_codes.begin(), r.refusal_codes.end(), [](int32_t code) { return code == 429; }));
  CHECK(duplicates(r.delivered).empty());
  // Every accepted publication was delivered.
  std::vector<uint64_t> accepted_not_delivered;
  std::set_difference(r.accepted.begin(), r.accepted.end(), r.delivered.begin(), r.delivered.end(),
                      std::back_inserter(accepted_not_delivered));
  CHECK(accepted_not_delivered.empty());
}

// A refusal is reported per publication: publications of the same batch that were accepted
// and delivered are reported accepted (the broker once reported a batch's first refusal for all
// of them, so a publisher retrying "refused" ones delivered them twice).
TEST_CASE("a publication reported as refused is not delivered", "[pubsub][mdns][actor]") {
  if (!actor_broker_or_skip("refuse_when_full"))
    return;
  auto r = run_refusals("refuse-twice");
  REQUIRE_FALSE(r.refused.empty());
  CHECK(r.refused_but_delivered.empty());
  CHECK(r.delivered == r.accepted);
}

// (Until 82c4247 every refusal reached the publisher as a 503.)
TEST_CASE("a refusal of a full subscriber has code 429", "[pubsub][mdns][actor]") {
  if (!actor_broker_or_skip("refuse_when_full"))
    return;
  auto c = publisher_client();
  const auto topic = unique_name("refuse-code");
  subscriber_config cfg{unique_name("refuse-code-svc"), topic};
  cfg.window = 1;
  cfg.refuse_when_full = true;
  auto s = start_subscriber(cfg);
  await_subscribed(*c, topic, {s.get()});

  // The first fills the window (its handler runs for 2 s; retried while the last marker is
  // still finishing), the second finds it full.
  auto slow = publish_options{}.with_metadata("sleep_ms", "2000");
  auto first = c->publish(topic, tick(1), slow);
  for (int i = 0; i < 100 && !first && first.error().detail.find("is full") != std::string::npos; ++i)
    first = c->publish(topic, tick(1), slow);
  REQUIRE(first.ok());
  REQUIRE(s->read_until([&] { return s->received().size() == 1; }));
  auto st = c->publish(topic, tick(2));
  REQUIRE_FALSE(st.ok());
  INFO(st.error().to_json());
  REQUIRE(st.error().detail.find("is full") != std::string::npos);
  CHECK(st.error().code == 429);
}
