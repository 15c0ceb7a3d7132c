// Catch2's runner for the fault tests. Before the first client exists (the process's actor
// system and selector are configured once, from the first client's options): the heartbeats
// the servers get (a frozen peer is noticed after 1 s) and a short circuit back-off, so a frozen
// node is probed again soon after it thaws.
#define CATCH_CONFIG_RUNNER
#include <cstdlib>

#include <catch2/catch.hpp>

#include "harness.hpp"
#include "resilience_helpers.hpp"

int main(int argc, char* argv[]) {
  micro::test::configure_test_process();
  ::setenv("MICRO_SELECTOR_CIRCUIT_BACKOFF", micro::test::circuit_backoff_text, 1);
  auto keep_alive = micro::test::make_client("unused=127.0.0.1:9");
  return Catch::Session().run(argc, argv);
}
