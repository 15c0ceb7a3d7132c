// Input schemas from a protoc descriptor set (micro mcp --descriptors), in-process.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "api/proto_schema.hpp"

TEST_CASE("a descriptor set gives a message's fields as a JSON Schema", "[mcp]") {
  auto schemas = micro::api::proto_schemas::load(GREETER_DESCRIPTORS);
  REQUIRE(static_cast<bool>(schemas));
  CHECK(schemas->schema_for("greeter.Request")
        == nlohmann::json{{"type", "object"}, {"properties", {{"name", {{"type", "string"}}}}}});
  CHECK(schemas->schema_for("greeter.Nope").is_null());
  CHECK(micro::api::proto_schemas{}.schema_for("greeter.Request").is_null());
  auto missing = micro::api::proto_schemas::load("/nonexistent/api.pb");
  REQUIRE_FALSE(static_cast<bool>(missing));
  CHECK(missing.error().code == 400);
}
