// How each strategy spreads calls over three nodes, counted by who answered Test.Whoami.
#include <catch2/catch.hpp>

#include "resilience_helpers.hpp"

using namespace micro::test;

namespace {

constexpr int nodes = 3;

}  // namespace

TEST_CASE("random spreads 3000 calls within 25% of the fair share on each of 3 nodes", "[resilience][distribution]") {
  auto c = start_cluster(unique_service("rand"), nodes);
  auto client = cluster_client(c);
  auto t = whoami_tally(*client, c.name, 1, 3000, micro::call_options{}.with_strategy(micro::strategy::random));
  INFO(describe(t));
  REQUIRE(t.failed == 0);
  REQUIRE(t.total() == 3000);
  for (auto& n : c.nodes) {
    INFO(n.address);
    CHECK(t.of(n.address) >= 750);
    CHECK(t.of(n.address) <= 1250);
  }
}

TEST_CASE("roundrobin gives each of 3 nodes exactly 1000 of 3000 sequential calls", "[resilience][distribution]") {
  auto c = start_cluster(unique_service("rr"), nodes);
  auto client = cluster_client(c);
  auto t = whoami_tally(*client, c.name, 1, 3000, micro::call_options{}.with_strategy(micro::strategy::roundrobin));
  INFO(describe(t));
  REQUIRE(t.failed == 0);
  for (auto& n : c.nodes) {
    INFO(n.address);
    CHECK(t.of(n.address) == 1000);
  }
}

TEST_CASE("the client's MICRO_SELECTOR strategy applies when the call names none", "[resilience][distribution]") {
  auto c = start_cluster(unique_service("rrenv"), nodes);
  micro::options opts;
  REQUIRE(micro::apply_environment(opts));
  opts.with_registry("static", c.entries()).with_selector("roundrobin");
  micro::client client{opts};
  client.reset_marks(c.name);
  auto t = whoami_tally(client, c.name, 1, 300);
  INFO(describe(t));
  REQUIRE(t.failed == 0);
  for (auto& n : c.nodes) {
    INFO(n.address);
    CHECK(t.of(n.address) == 100);
  }
}

// One node sleeps 50 ms in every call; four threads call without pause (a stream, stopped after
// 600 calls: fixed quotas per thread would leave one thread alone at the end, where leastconn
// rightly sees no difference between idle nodes). Both load-aware strategies must give the slow
// node well under its fair share (here: under half of it) and keep the fast ones busy.
TEST_CASE("latency and leastconn give a slow node far less than its fair share", "[resilience][distribution]") {
  auto strategy = GENERATE(micro::strategy::latency, micro::strategy::leastconn);
  INFO("strategy " << micro::to_string(strategy));
  auto c = start_cluster(unique_service("slow"), nodes, [](int i, server_config& cfg) {
    if (i == 0)
      cfg.env["TEST_DELAY_MS"] = "50";
  });
  const auto& slow = c.nodes[0].address;
  auto client = cluster_client(c);
  call_stream stream{*client, c.name, 4, micro::call_options{}.with_strategy(strategy)};
  REQUIRE(stream.await_done(600));
  stream.stop();
  tally t;
  for (auto& r : stream.records()) {
    if (r.ok) {
      ++t.by_address[r.address];
    } else if (t.failed++ == 0) {
      t.first_error = r.error;
    }
  }
  const int fair = t.total() / nodes;
  INFO("slow node " << slow << "\n" << describe(t));
  REQUIRE(t.failed == 0);
  CHECK(t.of(slow) >= 1);  // it is measured, not banned
  CHECK(t.of(slow) < fair / 2);
  for (std::size_t i = 1; i < c.nodes.size(); ++i)
    CHECK(t.of(c.nodes[i].address) > fair / 2);
  std::printf("resilience: %s with one node slowed by 50 ms: slow node %d of %d calls (fair share %d)\n",
              micro::to_string(strategy), t.of(slow), t.total(), fair);
}
