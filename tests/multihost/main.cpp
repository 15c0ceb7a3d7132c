// Catch2's runner for the multi-host tests; run on host c by hosts.sh (see CMakeLists.txt).
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include "harness.hpp"

int main(int argc, char* argv[]) {
  micro::test::configure_test_process();
  return Catch::Session().run(argc, argv);
}
