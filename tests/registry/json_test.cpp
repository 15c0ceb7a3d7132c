#include <catch2/catch.hpp>

#include "registry/json.hpp"

using namespace micro::registry;
using nlohmann::json;

namespace {

service full_service() {
  return service{"greeter",
                 "1.0.0",
                 {{"team", "core"}},
                 {endpoint{"Greeter.Hello", "HelloRequest", "HelloResponse", {{"stream", "true"}}},
                  endpoint{"Greeter.Bye", "ByeRequest", "ByeResponse", {}}},
                 {node{"greeter-1", "127.0.0.1:9001", {{"protocol", "caf"}}},
                  node{"greeter-2", "[::1]:9002", {}}}};
}

}  // namespace

TEST_CASE("service JSON uses go-micro's field names", "[json]") {
  const json j = full_service();
  CHECK(j.at("name") == "greeter");
  CHECK(j.at("version") == "1.0.0");
  CHECK(j.at("metadata").at("team") == "core");
  CHECK(j.at("endpoints").at(0).at("name") == "Greeter.Hello");
  CHECK(j.at("endpoints").at(0).at("request") == "HelloRequest");
  CHECK(j.at("endpoints").at(0).at("response") == "HelloResponse");
  CHECK(j.at("endpoints").at(0).at("metadata").at("stream") == "true");
  CHECK(j.at("nodes").at(1).at("id") == "greeter-2");
  CHECK(j.at("nodes").at(1).at("address") == "[::1]:9002");
  CHECK(j.at("nodes").at(0).at("metadata").at("protocol") == "caf");
}

TEST_CASE("service JSON round-trips through text", "[json]") {
  const service s = full_service();
  const auto text = json(s).dump();
  CHECK(json::parse(text).get<service>() == s);
}

TEST_CASE("service JSON accepts go-micro's nulls and missing fields", "[json]") {
  const auto j = json::parse(R"({"name":"greeter","version":"v1","metadata":null,
      "endpoints":null,"nodes":[{"id":"n1","address":"h:1","metadata":null}]})");
  const auto s = j.get<service>();
  CHECK(s == service{"greeter", "v1", {}, {}, {node{"n1", "h:1", {}}}});

  const auto minimal = json::parse(R"({"name":"greeter"})").get<service>();
  CHECK(minimal == service{"greeter", "", {}, {}, {}});
}

TEST_CASE("service JSON rejects missing required fields and wrong types", "[json]") {
  CHECK_THROWS_AS(json::parse(R"({"version":"v1"})").get<service>(), json::exception);
  CHECK_THROWS_AS(json::parse(R"({"name":"g","nodes":[{"id":"n1"}]})").get<service>(),
                  json::exception);
  CHECK_THROWS_AS(json::parse(R"({"name":"g","nodes":[{"address":"h:1"}]})").get<service>(),
                  json::exception);
  CHECK_THROWS_AS(json::parse(R"({"name":"g","metadata":{"k":1}})").get<service>(),
                  json::exception);
  CHECK_THROWS_AS(json::parse(R"({"name":"g","endpoints":{}})").get<service>(),
                  json::exception);
}

TEST_CASE("event JSON round-trips with its action string", "[json]") {
  const event e{event_type::remove, full_service(),
                std::chrono::system_clock::time_point(std::chrono::milliseconds(1700000000123))};
  const json j = e;
  CHECK(j.at("action") == "delete");
  CHECK(j.at("timestamp") == 1700000000123);
  CHECK(j.at("service").at("name") == "greeter");
  CHECK(json::parse(j.dump()).get<event>() == e);

  for (auto t : {event_type::create, event_type::update, event_type::remove})
    CHECK(json(t).get<event_type>() == t);
  CHECK_THROWS_WITH(json("override").get<event_type>(), Catch::Contains("\"override\""));
}
