// Who gets a publication: plain subscribers each, a queue group once in total, both mixed on one
// topic; in order; and nobody at all. Subscriber processes found over mDNS.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdio>
#include <numeric>

#include "pubsub_helpers.hpp"

using namespace micro;
using namespace micro::test;

namespace {

// Publishes Ticks first..last (inclusive) on `topic` from this thread; every one must succeed.
void publish_range(client& c, const std::string& topic, uint64_t first, uint64_t last) {
  for (uint64_t i = first; i <= last; ++i) {
    auto st = c.publish(topic, tick(i));
    if (!st)
      FAIL("publication " << i << " on " << topic << " failed: " << st.error().to_json());
  }
}

std::vector<uint64_t> range(uint64_t first, uint64_t last) {
  std::vector<uint64_t> v(last - first + 1);
  std::iota(v.begin(), v.end(), first);
  return v;
}

std::vector<uint64_t> sorted(std::vector<uint64_t> v) {
  std::sort(v.begin(), v.end());
  return v;
}

}  // namespace

TEST_CASE("every plain subscriber gets every publication exactly once", "[pubsub][mdns]") {
  auto c = publisher_client();
  const auto topic = unique_name("fanout");
  const auto name = unique_name("fanout-svc");
  // Two nodes of one service: plain subscriptions are per node, so both get everything.
  auto a = start_subscriber({name, topic});
  auto b = start_subscriber({name, topic});
  await_subscribed(*c, topic, {a.get(), b.get()});

  publish_range(*c, topic, 1, 100);
  REQUIRE(drain(*c, topic, {a.get(), b.get()}));

  CHECK(sorted(a->seqs()) == range(1, 100));
  CHECK(sorted(b->seqs()) == range(1, 100));
  CHECK(duplicates(a->seqs()).empty());
  CHECK(duplicates(b->seqs()).empty());
}

TEST_CASE("a queue group gets each publication once in total and spreads them", "[pubsub][mdns]") {
  auto c = publisher_client();
  const auto topic = unique_name("group");
  const auto name = unique_name("group-svc");
  subscriber_config cfg{name, topic};
  cfg.queue = "g";
  auto m1 = start_subscriber(cfg);
  auto m2 = start_subscriber(cfg);
  auto m3 = start_subscriber(cfg);
  std::vector<subscriber*> members{m1.get(), m2.get(), m3.get()};
  await_subscribed(*c, topic, members);

  publish_range(*c, topic, 1, 300);
  REQUIRE(drain(*c, topic, members));

  std::vector<uint64_t> all;
  int members_with_some = 0;
  for (auto* m : members) {
    auto got = m->seqs();
    all.insert(all.end(), got.begin(), got.end());
    members_with_some += got.empty() ? 0 : 1;
    std::printf("pubsub: queue group member %s got %zu of 300\n", m->srv.address.c_str(), got.size());
  }
  CHECK(all.size() == 300);
  CHECK(duplicates(all).empty());
  CHECK(sorted(all) == range(1, 300));
  CHECK(members_with_some > 1);
}

TEST_CASE("plain subscribers and a queue group on one topic", "[pubsub][mdns]") {
  auto c = publisher_client();
  const auto topic = unique_name("mixed");
  // Different services, as in a real system: two that want everything, one scaled to two nodes
  // that share the work.
  auto p1 = start_subscriber({unique_name("mixed-audit"), topic});
  auto p2 = start_subscriber({unique_name("mixed-log"), topic});
  subscriber_config group{unique_name("mixed-worker"), topic};
  group.queue = "workers";
  auto g1 = start_subscriber(group);
  auto g2 = start_subscriber(group);
  std::vector<subscriber*> all_subs{p1.get(), p2.get(), g1.get(), g2.get()};
  await_subscribed(*c, topic, all_subs);

  publish_range(*c, topic, 1, 200);
  REQUIRE(drain(*c, topic, all_subs));

  CHECK(sorted(p1->seqs()) == range(1, 200));
  CHECK(sorted(p2->seqs()) == range(1, 200));
  auto group_got = g1->seqs();
  auto g2_got = g2->seqs();
  group_got.insert(group_got.end(), g2_got.begin(), g2_got.end());
  CHECK(duplicates(group_got).empty());
  CHECK(sorted(group_got) == range(1, 200));
  CHECK_FALSE(g1->seqs().empty());
  CHECK_FALSE(g2->seqs().empty());
  std::printf("pubsub: mixed topic: group members got %zu and %zu of 200\n", g1->seqs().size(), g2_got.size());
}

TEST_CASE("publications of one publisher arrive in order", "[pubsub][mdns]") {
  auto c = publisher_client();
  const auto topic = unique_name("order");
  auto s = start_subscriber({unique_name("order-svc"), topic});
  await_subscribed(*c, topic, {s.get()});

  constexpr uint64_t n = 10000;
  auto t0 = steady_clock::now();
  publish_range(*c, topic, 1, n);
  auto publish_ms = ms_since(t0);
  REQUIRE(drain(*c, topic, {s.get()}, 30s));
  auto delivered_ms = ms_since(t0);

  auto got = s->seqs();
  REQUIRE(got.size() == n);
  std::size_t out_of_order = 0;
  for (std::size_t i = 1; i < got.size(); ++i)
    if (got[i] <= got[i - 1])
      ++out_of_order;
  CHECK(out_of_order == 0);
  CHECK(got.front() == 1);
  CHECK(got.back() == n);
  std::printf("pubsub: %llu publications from one thread (blocking publish): %lld ms, %.0f publications/s; "
              "all printed by the subscriber after %lld ms\n",
              static_cast<unsigned long long>(n), publish_ms, n * 1000.0 / std::max<long long>(publish_ms, 1),
              delivered_ms);
}

TEST_CASE("publishing to a topic nobody subscribes to succeeds at once", "[pubsub][mdns]") {
  auto c = publisher_client();
  // A subscriber of another topic is around, so the registry is not empty.
  const auto other = unique_name("someone-else");
  auto s = start_subscriber({unique_name("nobody-svc"), other});
  await_subscribed(*c, other, {s.get()});

  const auto topic = unique_name("nobody");
  auto t0 = steady_clock::now();
  auto st = c->publish(topic, tick(1));
  auto first_ms = ms_since(t0);
  CHECK(st.ok());
  for (int i = 2; i <= 20; ++i)
    REQUIRE(c->publish(topic, tick(static_cast<uint64_t>(i))).ok());
  auto all_ms = ms_since(t0);
  CHECK(first_ms < 2000);
  CHECK(all_ms < 4000);
  // And nothing of it reached the subscriber of the other topic.
  REQUIRE(drain(*c, other, {s.get()}));
  CHECK(s->received().empty());
  std::printf("pubsub: publish with no subscriber: first %lld ms, 20 in %lld ms\n", first_ms, all_ms);
}
