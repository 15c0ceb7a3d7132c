// What the fuzz harnesses found in the CLI's JSON handling, kept as plain tests (the inputs are
// also in fuzz/corpus/cli_json).
#include <catch2/catch.hpp>

#include "micro/cli/json_text.hpp"

using micro::cli::as_json;
using micro::cli::json_error;

TEST_CASE("cli json: a number too large for a double is an error message, not a crash") {
  // nlohmann throws out_of_range (not parse_error) here; `micro call s e 3e334` used to terminate.
  auto why = json_error("3e334");
  REQUIRE(why);
  CHECK(why->find("number overflow") != std::string::npos);
  CHECK(as_json("3e334") == "\"3e334\"");
}

TEST_CASE("cli json: valid JSON passes, bodies that are not JSON print as a JSON string") {
  CHECK_FALSE(json_error("{\"a\":[1,2]}"));
  CHECK(json_error("{"));
  CHECK(as_json("{ \"a\" : 1 }") == "{\"a\":1}");
  CHECK(as_json(std::string("\xff\x00x", 3)) == "\"\xEF\xBF\xBD\\u0000x\"");
}
