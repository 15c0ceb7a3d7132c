// Catch2's runner; the heartbeats the servers get are set before the first client exists.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include "harness.hpp"

int main(int argc, char* argv[]) {
  micro::test::configure_test_process();
  auto keep_alive = micro::test::make_client("unused=127.0.0.1:9");
  return Catch::Session().run(argc, argv);
}
