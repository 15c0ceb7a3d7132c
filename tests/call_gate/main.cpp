// Catch2's main in its own TU so the test files recompile quickly.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
