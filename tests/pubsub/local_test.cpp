// Local delivery: a service that subscribes to a topic and publishes on it (through its own
// client, or another client of the process) gets its own publications, in process.
#include <catch2/catch.hpp>

#include <condition_variable>
#include <mutex>
#include <numeric>

#include "pubsub_helpers.hpp"

using namespace micro;
using namespace micro::test;

namespace {

// What a subscriber in this process got, awaited with a condition variable.
struct inbox {
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<uint64_t> seqs;
  std::vector<micro::metadata> metadata;

  void add(const context& ctx, const pubsubtest::Tick& t) {
    std::lock_guard<std::mutex> guard{mutex};
    seqs.push_back(t.seq());
    metadata.push_back(ctx.metadata());
    changed.notify_all();
  }
  bool await(std::size_t n, milliseconds timeout = 10s) {
    std::unique_lock<std::mutex> lock{mutex};
    return changed.wait_for(lock, timeout, [&] { return seqs.size() >= n; });
  }
};

// Options of an in-process service: this process's environment (broker included), the given
// registry, loopback.
options local_options(const std::string& name, const std::string& registry, const std::string& registry_address) {
  options opts;
  REQUIRE(apply_environment(opts));
  opts.with_name(name).with_registry(registry, registry_address).with_server_address("127.0.0.1:0");
  return opts;
}

std::vector<uint64_t> range(uint64_t first, uint64_t last) {
  std::vector<uint64_t> v(last - first + 1);
  std::iota(v.begin(), v.end(), first);
  return v;
}

}  // namespace

TEST_CASE("a service gets its own publications (memory registry)", "[pubsub][local]") {
  const auto topic = unique_name("local");
  auto opts = local_options(unique_name("local-svc"), "memory", unique_name("pubsub-local"));
  service svc{opts};
  inbox got;
  svc.server().subscribe(topic, [&](const context& ctx, const pubsubtest::Tick& t) { got.add(ctx, t); });
  REQUIRE(svc.start().ok());

  for (uint64_t i = 1; i <= 50; ++i)
    REQUIRE(svc.client().publish(topic, tick(i), publish_options{}.with_metadata("from", "self")).ok());
  REQUIRE(got.await(50));
  CHECK(got.seqs == range(1, 50));
  CHECK(got.metadata.front().at("from") == "self");

  // Another client of the process, on the same registry, reaches it too.
  client other{opts};
  REQUIRE(other.publish(topic, tick(51)).ok());
  REQUIRE(got.await(51));
  CHECK(got.seqs.back() == 51);
  REQUIRE(svc.stop().ok());
}

TEST_CASE("a service gets its own publications (mDNS)", "[pubsub][local][mdns]") {
  const auto topic = unique_name("local-mdns");
  auto opts = local_options(unique_name("local-mdns-svc"), "mdns", "");
  service svc{opts};
  inbox got;
  svc.server().subscribe(topic, [&](const context& ctx, const pubsubtest::Tick& t) { got.add(ctx, t); });
  REQUIRE(svc.start().ok());
  // Its own registration is visible to its own client at once (the mdns backend knows what it
  // published), so the first publication already finds it.
  for (uint64_t i = 1; i <= 20; ++i)
    REQUIRE(svc.client().publish(topic, tick(i)).ok());
  REQUIRE(got.await(20));
  CHECK(got.seqs == range(1, 20));
  REQUIRE(svc.stop().ok());
}

TEST_CASE("a local ack subscriber's error comes back to its own publisher", "[pubsub][local][actor]") {
  if (!actor_broker_or_skip("ack mode"))
    return;
  const auto topic = unique_name("local-ack");
  auto opts = local_options(unique_name("local-ack-svc"), "memory", unique_name("pubsub-local-ack"));
  service svc{opts};
  inbox got;
  svc.server().subscribe(
      topic,
      [&](const context& ctx, const pubsubtest::Tick& t) {
        got.add(ctx, t);
        if (t.seq() == 2)
          throw errors::forbidden("local.test", "not number 2");
      },
      subscribe_options{}.with_ack());
  REQUIRE(svc.start().ok());

  CHECK(svc.client().publish(topic, tick(1)).ok());
  auto st = svc.client().publish(topic, tick(2), publish_options{}.with_mode(delivery::acknowledged));
  REQUIRE_FALSE(st.ok());
  INFO(st.error().to_json());
  CHECK(st.error().detail.find("not number 2") != std::string::npos);
  CHECK(svc.client().publish(topic, tick(3)).ok());
  REQUIRE(got.await(3));
  CHECK(got.seqs == range(1, 3));
  REQUIRE(svc.stop().ok());
}
