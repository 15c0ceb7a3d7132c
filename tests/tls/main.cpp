// Catch2's runner for the TLS tests (the test process itself makes no call: callers are `micro
// call` processes, each configured on its own, as TLS is configured once per process).
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

int main(int argc, char* argv[]) { return Catch::Session().run(argc, argv); }
