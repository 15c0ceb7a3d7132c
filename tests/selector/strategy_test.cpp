// The selector's strategies (random, roundrobin, leastconn, latency) and its preference for
// nodes not tried yet. Deterministic where the strategy is; statistical bounds are many
// standard deviations wide where it is random.
#include "helpers.hpp"

#include <algorithm>
#include <set>

using namespace selector_test;

namespace {

const std::vector<std::string> abc{"a:1", "b:1", "c:1"};

}  // namespace

TEST_CASE("random picks every candidate about equally often", "[selector][random]") {
  selector sel;
  auto counts = count_picks(sel, strategy::random, abc, 3000);
  REQUIRE(counts.size() == 3);  // only candidates, all of them
  for (auto& a : abc) {
    INFO(a << " picked " << counts[a] << " times of 3000");
    CHECK(counts[a] >= 800);
    CHECK(counts[a] <= 1200);
  }
}

TEST_CASE("random with one candidate always picks it", "[selector][random]") {
  selector sel;
  auto counts = count_picks(sel, strategy::random, {"only:1"}, 50);
  REQUIRE(counts.size() == 1);
  CHECK(counts["only:1"] == 50);
}

TEST_CASE("roundrobin rotates exactly in address order", "[selector][roundrobin]") {
  selector sel;
  std::vector<std::string> seen;
  for (int i = 0; i < 7; ++i)
    seen.push_back(pick_one(sel, strategy::roundrobin, abc));
  CHECK(seen == std::vector<std::string>{"a:1", "b:1", "c:1", "a:1", "b:1", "c:1", "a:1"});
}

TEST_CASE("roundrobin is stable whatever order the candidates come in", "[selector][roundrobin]") {
  selector sel;
  std::vector<std::vector<std::string>> orders{{"c:1", "a:1", "b:1"}, {"b:1", "c:1", "a:1"}, {"a:1", "b:1", "c:1"},
                                               {"c:1", "b:1", "a:1"}, {"b:1", "a:1", "c:1"}, {"a:1", "c:1", "b:1"}};
  std::vector<std::string> seen;
  for (auto& order : orders)
    seen.push_back(pick_one(sel, strategy::roundrobin, order));
  CHECK(seen == std::vector<std::string>{"a:1", "b:1", "c:1", "a:1", "b:1", "c:1"});
}

TEST_CASE("roundrobin keeps one turn per service name", "[selector][roundrobin]") {
  selector sel;
  std::vector<std::string> x, y;
  x.push_back(pick_one(sel, strategy::roundrobin, abc, none, t0, "x"));
  x.push_back(pick_one(sel, strategy::roundrobin, abc, none, t0, "x"));
  y.push_back(pick_one(sel, strategy::roundrobin, abc, none, t0, "y"));  // y's first turn: a
  x.push_back(pick_one(sel, strategy::roundrobin, abc, none, t0, "x"));
  y.push_back(pick_one(sel, strategy::roundrobin, abc, none, t0, "y"));
  CHECK(x == std::vector<std::string>{"a:1", "b:1", "c:1"});
  CHECK(y == std::vector<std::string>{"a:1", "b:1"});
}

TEST_CASE("leastconn picks the node with the fewest calls outstanding", "[selector][leastconn]") {
  selector sel;
  sel.started("a:1");
  sel.started("a:1");
  sel.started("b:1");
  REQUIRE(sel.marks("a:1")->outstanding == 2);
  REQUIRE(sel.marks("b:1")->outstanding == 1);
  auto counts = count_picks(sel, strategy::leastconn, abc, 50);
  CHECK(counts["c:1"] == 50);  // never used: 0 outstanding

  sel.started("c:1");
  sel.started("c:1");
  sel.started("c:1");
  counts = count_picks(sel, strategy::leastconn, abc, 50);
  CHECK(counts["b:1"] == 50);  // a 2, b 1, c 3

  sel.succeeded("a:1", 1ms);
  sel.succeeded("a:1", 1ms);
  REQUIRE(sel.marks("a:1")->outstanding == 0);
  counts = count_picks(sel, strategy::leastconn, abc, 50);
  CHECK(counts["a:1"] == 50);  // a 0, b 1, c 3
}

TEST_CASE("leastconn spreads picks over the nodes tied for fewest", "[selector][leastconn]") {
  selector sel;
  sel.started("c:1");
  auto counts = count_picks(sel, strategy::leastconn, abc, 400);
  CHECK(counts["c:1"] == 0);
  CHECK(counts["a:1"] > 100);
  CHECK(counts["b:1"] > 100);
  CHECK(counts["a:1"] + counts["b:1"] == 400);
}

TEST_CASE("leastconn counts failed and finished calls as no longer outstanding", "[selector][leastconn]") {
  selector sel;
  for (int i = 0; i < 3; ++i)
    sel.started("a:1");
  sel.started("b:1");
  sel.failed("a:1", true, t0);
  sel.finished("a:1");
  REQUIRE(sel.marks("a:1")->outstanding == 1);
  sel.finished("a:1");
  REQUIRE(sel.marks("a:1")->outstanding == 0);
  sel.finished("a:1");  // never below zero
  CHECK(sel.marks("a:1")->outstanding == 0);
  auto counts = count_picks(sel, strategy::leastconn, {"a:1", "b:1"}, 30);
  CHECK(counts["a:1"] == 30);
}

TEST_CASE("latency keeps an exponentially weighted latency per node", "[selector][latency]") {
  selector sel;  // latency_weight 0.3
  REQUIRE(sel.marks("a:1") == nullptr);
  sel.started("a:1");
  sel.succeeded("a:1", 1ms);
  REQUIRE(sel.marks("a:1") != nullptr);
  CHECK(sel.marks("a:1")->latency_us == Approx(1000.0));  // the first sample as is
  sel.started("a:1");
  sel.succeeded("a:1", 2ms);
  CHECK(sel.marks("a:1")->latency_us == Approx(0.7 * 1000.0 + 0.3 * 2000.0));
}

TEST_CASE("latency sends clearly fewer calls to a slow node", "[selector][latency]") {
  selector sel;
  for (int i = 0; i < 5; ++i) {
    sel.started("fast:1");
    sel.succeeded("fast:1", 1ms);
    sel.started("slow:1");
    sel.succeeded("slow:1", 20ms);
  }
  auto counts = count_picks(sel, strategy::latency, {"fast:1", "slow:1"}, 2000);
  INFO("fast " << counts["fast:1"] << " slow " << counts["slow:1"]);
  // Weights 1/1000 and 1/20000: the slow node's share is about 1/21 (~95 of 2000).
  CHECK(counts["slow:1"] > 0);
  CHECK(counts["slow:1"] < 300);
  CHECK(counts["fast:1"] > 1700);
}

TEST_CASE("latency still picks a node never measured", "[selector][latency]") {
  selector sel;
  sel.started("fast:1");
  sel.succeeded("fast:1", 1ms);
  sel.started("slow:1");
  sel.succeeded("slow:1", 20ms);
  auto counts = count_picks(sel, strategy::latency, {"fast:1", "slow:1", "new:1"}, 3000);
  INFO("fast " << counts["fast:1"] << " slow " << counts["slow:1"] << " new " << counts["new:1"]);
  // The new node is weighted as the mean of the others (10.5 ms): about 8% of the picks.
  CHECK(counts["new:1"] > 60);
  CHECK(counts["new:1"] < counts["fast:1"]);
}

TEST_CASE("latency weighs in the calls outstanding", "[selector][latency]") {
  selector sel;
  for (auto a : {"a:1", "b:1"}) {
    sel.started(a);
    sel.succeeded(a, 5ms);
  }
  for (int i = 0; i < 9; ++i)
    sel.started("b:1");  // b: same latency, 10x the expected wait
  auto counts = count_picks(sel, strategy::latency, {"a:1", "b:1"}, 2000);
  INFO("a " << counts["a:1"] << " b " << counts["b:1"]);
  CHECK(counts["b:1"] < 400);  // expected ~1/11 of 2000
  CHECK(counts["a:1"] > 1600);
}

TEST_CASE("an untried candidate is preferred whatever the strategy", "[selector][tried]") {
  for (auto s : {strategy::random, strategy::roundrobin, strategy::leastconn, strategy::latency}) {
    selector sel;
    // Make the untried node the worst choice for leastconn and latency.
    sel.started("a:1");
    sel.succeeded("a:1", 1ms);
    sel.started("b:1");
    sel.succeeded("b:1", 1ms);
    sel.started("c:1");
    sel.succeeded("c:1", 50ms);
    for (int i = 0; i < 5; ++i)
      sel.started("c:1");
    INFO("strategy " << static_cast<int>(s));
    auto counts = count_picks(sel, s, abc, 60, {"a:1", "b:1"});
    CHECK(counts["c:1"] == 60);
  }
}

TEST_CASE("roundrobin rotates over the untried candidates only", "[selector][tried][roundrobin]") {
  selector sel;
  std::vector<std::string> seen;
  for (int i = 0; i < 4; ++i)
    seen.push_back(pick_one(sel, strategy::roundrobin, abc, {"b:1"}));
  for (auto& a : seen)
    CHECK(a != "b:1");
  CHECK(std::count(seen.begin(), seen.end(), "a:1") == 2);
  CHECK(std::count(seen.begin(), seen.end(), "c:1") == 2);
}

TEST_CASE("when every candidate was tried a tried one is returned", "[selector][tried]") {
  selector sel;
  auto counts = count_picks(sel, strategy::random, abc, 300, abc);
  CHECK(counts.size() == 3);  // all still in play
  CHECK(counts["a:1"] + counts["b:1"] + counts["c:1"] == 300);
  CHECK(sel.panics() == 0);  // nothing is open: not a panic
}

TEST_CASE("tried addresses that are not candidates are ignored", "[selector][tried]") {
  selector sel;
  auto counts = count_picks(sel, strategy::random, {"a:1", "b:1"}, 200, {"elsewhere:1"});
  CHECK(counts["a:1"] > 30);
  CHECK(counts["b:1"] > 30);
  CHECK(counts.count("elsewhere:1") == 0);
}
