// The circuit breaker across processes: a node whose Test.Whoami answers 500 (TEST_FAIL=1)
// among two healthy ones. The test process's circuit back-off is circuit_backoff (main.cpp);
// the failure threshold is the default, 5.
#include <catch2/catch.hpp>

#include "resilience_helpers.hpp"

using namespace micro::test;
using Catch::Matchers::Contains;

namespace {

long long count_on(micro::client& c, const running_server& s) {
  auto r = c.call<json>(s.name, "Test.Count", json::object(), micro::call_options{}.with_address(s.address));
  return r ? r->value("count", -1LL) : -1;
}

}  // namespace

TEST_CASE("circuit: a failing node is skipped after 5 failures then probed once per doubling back-off",
          "[resilience][circuit]") {
  auto c = start_cluster(unique_service("cb"), 3, [](int i, server_config& cfg) {
    if (i == 0)
      cfg.env["TEST_FAIL"] = "1";
  });
  auto client = cluster_client(c);
  const auto bad = c.nodes[0].address;
  // Roundrobin from one thread: the failing node gets every third call while it is eligible, and
  // no call is ever in flight when another is picked, so the counts below are exact.
  const auto rr = micro::call_options{}.with_strategy(micro::strategy::roundrobin);

  std::vector<steady_clock::time_point> fails;  // when each 500 reached the caller
  int calls = 0, answered_by_bad = 0, other_errors = 0;
  std::string other_error;
  auto one = [&] {
    auto r = client->call<json>(c.name, "Test.Whoami", json::object(), rr);
    ++calls;
    if (r) {
      answered_by_bad += r->value("address", "") == bad;
      return;
    }
    // A 500 is the handler's answer, and it reaches the caller: never retried on a healthy
    // node (which would have answered), although the client allows one retry.
    if (r.error().code == 500 && r.error().detail.find("TEST_FAIL") != std::string::npos) {
      fails.push_back(steady_clock::now());
      return;
    }
    if (other_errors++ == 0)
      other_error = r.error().to_json();
  };
  auto ms = [](steady_clock::duration d) { return std::chrono::duration_cast<milliseconds>(d).count(); };

  // 1. Until the threshold: five 500s, one every third call.
  while (fails.size() < 5 && calls < 100)
    one();
  REQUIRE(fails.size() == 5);
  CHECK(calls <= 15);

  // 2. Open: the node gets no call for the back-off; then exactly one probe, whose 500 is the
  //    next one the caller sees.
  int calls_at_open = calls;
  while (fails.size() < 6 && steady_clock::now() - fails[4] < 5s)
    one();
  REQUIRE(fails.size() == 6);
  INFO("first back-off: " << ms(fails[5] - fails[4]) << " ms, " << calls - calls_at_open << " calls");
  CHECK(fails[5] - fails[4] >= circuit_backoff - 20ms);
  CHECK(fails[5] - fails[4] < circuit_backoff + 500ms);
  CHECK(calls - calls_at_open > 10);  // the healthy nodes were called meanwhile

  // 3. The probe failed: open again for twice the back-off, then one more probe.
  int calls_at_probe = calls;
  while (fails.size() < 7 && steady_clock::now() - fails[5] < 5s)
    one();
  REQUIRE(fails.size() == 7);
  INFO("second back-off: " << ms(fails[6] - fails[5]) << " ms, " << calls - calls_at_probe << " calls");
  CHECK(fails[6] - fails[5] >= 2 * circuit_backoff - 20ms);
  CHECK(fails[6] - fails[5] < 2 * circuit_backoff + 500ms);

  // 4. Open again (for four times the back-off now); reset_marks makes it eligible at once:
  //    it is called within the next three roundrobin calls.
  one();
  one();
  one();
  CHECK(fails.size() == 7);
  client->reset_marks(c.name);
  one();
  one();
  one();
  CHECK(fails.size() == 8);

  INFO("first other error: " << other_error);
  CHECK(other_errors == 0);
  CHECK(answered_by_bad == 0);
}

TEST_CASE("a 500 from a non-idempotent handler is never retried", "[resilience][circuit][retry]") {
  auto c = start_cluster(unique_service("throw"), 3);
  auto client = cluster_client(c);
  auto runs = [&] {
    long long n = 0;
    for (auto& s : c.nodes) {
      auto k = count_on(*client, s);
      REQUIRE(k >= 0);
      n += k;
    }
    return n;
  };
  auto before = runs();
  auto once = client->call<json>(c.name, "Test.Throw", json::object());
  REQUIRE_FALSE(once.ok());
  CHECK(once.error().code == 500);
  CHECK_THAT(once.error().detail, Contains("boom"));
  CHECK(runs() == before + 1);
  // Even with retries to spare.
  auto again = client->call<json>(c.name, "Test.Throw", json::object(), micro::call_options{}.with_retries(3));
  REQUIRE_FALSE(again.ok());
  CHECK(again.error().code == 500);
  CHECK(runs() == before + 2);
}
