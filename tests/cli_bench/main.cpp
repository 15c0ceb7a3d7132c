// Catch2's runner. The tests only start processes (micro, micro-test-server): no client here.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
