// micro::error: go-micro's JSON shape, round trips, status texts and the errors:: helpers.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "micro/error.hpp"

using micro::error;

TEST_CASE("error to_json writes go-micro's four fields", "[error]") {
  error e{"greeter", 404, "no such user", "Not Found"};
  auto j = nlohmann::json::parse(e.to_json());
  REQUIRE(j.is_object());
  CHECK(j.size() == 4);
  CHECK(j.at("id") == "greeter");
  CHECK(j.at("code").is_number_integer());
  CHECK(j.at("code") == 404);
  CHECK(j.at("detail") == "no such user");
  CHECK(j.at("status") == "Not Found");
}

TEST_CASE("error JSON round trips", "[error]") {
  SECTION("plain") {
    auto e = micro::make_error("micro.client", 503, "no nodes");
    auto back = error::from_json(e.to_json());
    REQUIRE(back.has_value());
    CHECK(*back == e);
  }
  SECTION("quotes, newlines, unicode and empty fields") {
    error e{"", 400, "bad \"name\"\n\ttab \xc3\xa9t\xc3\xa9 \\ slash", ""};
    auto back = error::from_json(e.to_json());
    REQUIRE(back.has_value());
    CHECK(back->id.empty());
    CHECK(back->code == 400);
    CHECK(back->detail == e.detail);
    CHECK(back->status.empty());  // an explicit empty status is kept, not replaced
  }
  SECTION("a code without a name") {
    auto e = micro::make_error("svc", 599, "odd");
    auto back = error::from_json(e.to_json());
    REQUIRE(back.has_value());
    CHECK(back->code == 599);
    CHECK(back->status == "Unknown");
  }
}

TEST_CASE("error from_json reads what go-micro writes", "[error]") {
  auto e = error::from_json(R"({"id":"go.micro.client","code":408,"detail":"call timeout","status":"Request Timeout"})");
  REQUIRE(e.has_value());
  CHECK(e->id == "go.micro.client");
  CHECK(e->code == 408);
  CHECK(e->detail == "call timeout");
  CHECK(e->status == "Request Timeout");
}

TEST_CASE("error from_json fills missing fields", "[error]") {
  auto e = error::from_json(R"({"code":404})");
  REQUIRE(e.has_value());
  CHECK(e->id.empty());
  CHECK(e->detail.empty());
  CHECK(e->status == "Not Found");  // derived from the code
}

TEST_CASE("error from_json rejects text that is not an error", "[error]") {
  const char* not_errors[] = {
    "",
    "not json",
    "404",
    "[]",
    "[{\"code\":404}]",
    "{}",
    R"({"id":"x","detail":"no code"})",
    R"({"code":"404"})",    // a string is not a code
    R"({"code":404.5})",    // nor is a fraction
    R"({"code":null})",
    R"({"code":404)",       // truncated
    R"({"code":404} trailing)",
  };
  for (auto* text : not_errors) {
    INFO("text: " << text);
    CHECK_FALSE(error::from_json(text).has_value());
  }
}

TEST_CASE("error equality compares all four fields", "[error]") {
  error a{"id", 400, "detail", "Bad Request"};
  CHECK(a == error{"id", 400, "detail", "Bad Request"});
  CHECK(a != error{"other", 400, "detail", "Bad Request"});
  CHECK(a != error{"id", 401, "detail", "Bad Request"});
  CHECK(a != error{"id", 400, "other", "Bad Request"});
  CHECK(a != error{"id", 400, "detail", "Unauthorized"});
}

TEST_CASE("status_text names the codes micro uses", "[error]") {
  CHECK(std::string{micro::status_text(400)} == "Bad Request");
  CHECK(std::string{micro::status_text(401)} == "Unauthorized");
  CHECK(std::string{micro::status_text(403)} == "Forbidden");
  CHECK(std::string{micro::status_text(404)} == "Not Found");
  CHECK(std::string{micro::status_text(408)} == "Request Timeout");
  CHECK(std::string{micro::status_text(409)} == "Conflict");
  CHECK(std::string{micro::status_text(413)} == "Payload Too Large");
  CHECK(std::string{micro::status_text(415)} == "Unsupported Media Type");
  CHECK(std::string{micro::status_text(500)} == "Internal Server Error");
  CHECK(std::string{micro::status_text(503)} == "Service Unavailable");
  CHECK(std::string{micro::status_text(504)} == "Gateway Timeout");
}

TEST_CASE("status_text of an unnamed code is Unknown", "[error]") {
  for (int32_t code : {0, -1, 200, 418, 999, 2147483647}) {
    INFO("code " << code);
    CHECK(std::string{micro::status_text(code)} == "Unknown");
  }
}

TEST_CASE("make_error sets the status text of its code", "[error]") {
  auto e = micro::make_error("svc", 409, "taken");
  CHECK(e.id == "svc");
  CHECK(e.code == 409);
  CHECK(e.detail == "taken");
  CHECK(e.status == "Conflict");
}

TEST_CASE("errors helpers give their code, status, id and detail", "[error]") {
  struct expected {
    error made;
    int32_t code;
    const char* status;
  };
  expected cases[] = {
    {micro::errors::bad_request("a", "d1"), 400, "Bad Request"},
    {micro::errors::unauthorized("a", "d2"), 401, "Unauthorized"},
    {micro::errors::forbidden("a", "d3"), 403, "Forbidden"},
    {micro::errors::not_found("a", "d4"), 404, "Not Found"},
    {micro::errors::timeout("a", "d5"), 408, "Request Timeout"},
    {micro::errors::conflict("a", "d6"), 409, "Conflict"},
    {micro::errors::internal_server_error("a", "d7"), 500, "Internal Server Error"},
    {micro::errors::service_unavailable("a", "d8"), 503, "Service Unavailable"},
  };
  int n = 0;
  for (auto& c : cases) {
    ++n;
    INFO("helper #" << n);
    CHECK(c.made.id == "a");
    CHECK(c.made.code == c.code);
    CHECK(c.made.status == c.status);
    CHECK(c.made.detail == "d" + std::to_string(n));
    auto back = error::from_json(c.made.to_json());
    REQUIRE(back.has_value());
    CHECK(*back == c.made);
  }
}
