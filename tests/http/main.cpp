// Catch2's runner for the HTTP tests: servers, the gateway and curl are real processes or libcurl.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include "harness.hpp"

int main(int argc, char** argv) {
  micro::test::configure_test_process();
  // Keeps the process's runtime alive across test cases (see tests/integration/main.cpp).
  auto keep_alive = micro::test::make_client("unused=127.0.0.1:9");
  return Catch::Session().run(argc, argv);
}
