// Catch2's runner, plus the one thing that must happen before any client exists: the process's
// actor system is configured once, from the options of the first client (heartbeats on, 1 s
// connection timeout, as the servers get).
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include "harness.hpp"

int main(int argc, char* argv[]) {
  micro::test::configure_test_process();
  // Keeps the process's runtime alive across test cases, configured from the environment above.
  auto keep_alive = micro::test::make_client("unused=127.0.0.1:9");
  return Catch::Session().run(argc, argv);
}
