// A node that hangs without dying (SIGSTOP): calls that land on it time out (bounded by the
// attempt timeout) and are retried on the other node, its circuit opens so that few calls land
// there at all, and SIGCONT brings it back into the rotation.
#include <csignal>

#include <catch2/catch.hpp>

#include "resilience_helpers.hpp"

using namespace micro::test;

TEST_CASE("a SIGSTOPped node is skipped after a few timeouts and serves again after SIGCONT",
          "[faults][sigstop]") {
  auto c = start_cluster(unique_service("frozen"), 2);
  auto client = cluster_client(c);
  auto& frozen = c.nodes[0];
  const auto healthy = c.nodes[1].address;
  // Roundrobin would send every other call to the frozen node if nothing kept calls away.
  // Test.Whoami is idempotent (said here: the static registry carries no endpoint metadata), so
  // an attempt that timed out, or whose connection the heartbeat dropped, is retried elsewhere.
  const auto opts = micro::call_options{}
                        .with_strategy(micro::strategy::roundrobin)
                        .with_idempotent()
                        .with_timeout(3s)
                        .with_attempt_timeout(200ms)
                        .with_retry_on_timeout();
  REQUIRE(whoami(*client, c.name, opts));
  REQUIRE(whoami(*client, c.name, opts));

  REQUIRE(frozen.proc->freeze());
  int calls = 0, failed = 0, slow = 0, wrong = 0;
  std::string first_error;
  const auto until = steady_clock::now() + 3s;
  while (steady_clock::now() < until) {
    auto t0 = steady_clock::now();
    auto r = whoami(*client, c.name, opts);
    ++calls;
    slow += steady_clock::now() - t0 >= 150ms;  // an attempt went to the frozen node first
    if (!r) {
      if (failed++ == 0)
        first_error = r.error().to_json();
    } else {
      wrong += *r != healthy;
    }
    std::this_thread::sleep_for(5ms);  // pacing the load, not synchronisation
  }
  INFO(calls << " calls in 3 s, " << slow << " slow, first error: " << first_error);
  CHECK(failed == 0);  // every call answered, by the healthy node
  CHECK(wrong == 0);
  CHECK(calls > 100);
  // Without the circuit every other call would be slow (~7 calls/s): with it, the threshold's 5
  // and a probe per doubling back-off (400 ms, 800 ms, 1.6 s) at most.
  CHECK(slow <= 10);

  // Thawed: back in the rotation once its circuit lets a probe through (bounded, polled).
  REQUIRE(frozen.proc->signal(SIGCONT));
  auto t0 = steady_clock::now();
  bool back = false;
  while (!back && steady_clock::now() - t0 < 15s) {
    auto r = whoami(*client, c.name, opts);
    back = r && *r == frozen.address;
    if (!back)
      std::this_thread::sleep_for(20ms);
  }
  INFO("frozen node answering again after " << ms_since(t0) << " ms");
  CHECK(back);
  std::printf("faults: frozen 3 s: %d calls, %d slow (attempt on the frozen node), 0 failed; back %lld ms after SIGCONT\n",
              calls, slow, ms_since(t0));
}
