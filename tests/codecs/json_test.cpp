#include <catch2/catch.hpp>

#include "codecs/codec.hpp"
#include "greeter.pb.h"
#include "test_types.hpp"

using namespace micro::codecs;

TEST_CASE("protobuf to JSON prints only set fields under proto names", "[json][protobuf]") {
  greeter::Response rsp;
  rsp.set_msg("Hello John");
  std::string body;
  REQUIRE(encode(content_type::json, rsp, body));
  CHECK(body == R"({"msg":"Hello John"})");

  greeter::Request req;
  req.set_user_id("u1");
  req.set_count(2);
  REQUIRE(encode(content_type::json, req, body));
  CHECK(body == R"({"count":2,"user_id":"u1"})");

  REQUIRE(encode(content_type::json, greeter::Response{}, body));
  CHECK(body == "{}");
}

TEST_CASE("JSON to protobuf", "[json][protobuf]") {
  greeter::Request req;
  REQUIRE(decode(content_type::json, R"({"name":"John"})", req));
  CHECK(req.name() == "John");

  // Both the proto name and the lowerCamelCase JSON name are accepted.
  REQUIRE(decode(content_type::json, R"({"user_id":"a","tags":["x"]})", req));
  CHECK(req.user_id() == "a");
  CHECK(req.name().empty());
  REQUIRE(decode(content_type::json, R"({"userId":"b"})", req));
  CHECK(req.user_id() == "b");
}

TEST_CASE("JSON to protobuf ignores unknown fields", "[json][protobuf]") {
  greeter::Request req;
  auto st = decode(content_type::json, R"({"name":"John","added_in_v2":{"x":1}})", req);
  REQUIRE(st);
  CHECK(req.name() == "John");
}

TEST_CASE("malformed JSON into protobuf is undecodable", "[json][protobuf]") {
  greeter::Request req;
  auto st = decode(content_type::json, R"({"name":)", req);
  CHECK(st.code == errc::undecodable);
  CHECK_THAT(st.message, Catch::StartsWith("cannot decode application/json into greeter.Request: "));

  st = decode(content_type::json, R"({"count":"many"})", req);
  CHECK(st.code == errc::undecodable);
  st = decode(content_type::json, R"({"name":5})", req);
  CHECK(st.code == errc::undecodable);
  st = decode(content_type::json, "", req);
  CHECK(st.code == errc::undecodable);
}

TEST_CASE("user types with to_json/from_json round trip", "[json]") {
  shop::order in{"o-1", 2, {"apple", "pear"}};
  std::string body;
  REQUIRE(encode(content_type::json, in, body));
  CHECK(nlohmann::json::parse(body) == nlohmann::json::parse(R"({"id":"o-1","quantity":2,"items":["apple","pear"]})"));
  shop::order out;
  REQUIRE(decode(content_type::json, body, out));
  CHECK(out == in);
}

TEST_CASE("nlohmann::json and standard containers round trip", "[json]") {
  nlohmann::json doc = {{"a", 1}, {"b", {true, nullptr, "s"}}};
  std::string body;
  REQUIRE(encode(content_type::json, doc, body));
  CHECK(body == R"({"a":1,"b":[true,null,"s"]})");
  nlohmann::json back;
  REQUIRE(decode(content_type::json, body, back));
  CHECK(back == doc);

  std::map<std::string, std::vector<int>> m{{"x", {1, 2}}};
  REQUIRE(encode(content_type::json, m, body));
  CHECK(body == R"({"x":[1,2]})");
  std::map<std::string, std::vector<int>> m2;
  REQUIRE(decode(content_type::json, body, m2));
  CHECK(m2 == m);

  int n = 0;
  REQUIRE(decode(content_type::json, "17", n));
  CHECK(n == 17);
}

TEST_CASE("std::string is a JSON string, not raw JSON", "[json]") {
  std::string body;
  REQUIRE(encode(content_type::json, std::string(R"({"a":1})"), body));
  CHECK(body == R"("{\"a\":1}")");
  std::string back;
  REQUIRE(decode(content_type::json, body, back));
  CHECK(back == R"({"a":1})");
  auto st = decode(content_type::json, R"({"a":1})", back);
  CHECK(st.code == errc::undecodable);
}

TEST_CASE("invalid UTF-8 cannot be encoded as JSON", "[json]") {
  std::string body;
  auto st = encode(content_type::json, std::string("\xff\xfe"), body);
  CHECK(st.code == errc::encode_failed);
  CHECK_THAT(st.message, Catch::Contains("UTF-8"));
  CHECK(body.empty());
}

TEST_CASE("malformed JSON and wrong field types are undecodable", "[json]") {
  shop::order out;
  auto st = decode(content_type::json, R"({"id":"o-1",)", out);
  CHECK(st.code == errc::undecodable);
  CHECK_THAT(st.message, Catch::Contains("shop::order") && Catch::Contains("parse error"));

  st = decode(content_type::json, R"({"id":"o-1","quantity":"two","items":[]})", out);
  CHECK(st.code == errc::undecodable);
  CHECK_THAT(st.message, Catch::Contains("does not match the type") && Catch::Contains("number"));

  st = decode(content_type::json, R"({"id":"o-1"})", out);  // missing field
  CHECK(st.code == errc::undecodable);

  st = decode(content_type::json, "[1,2] trailing", out);
  CHECK(st.code == errc::undecodable);
}

TEST_CASE("msgpack-only types are not JSON", "[json]") {
  shop::point p;
  std::string body;
  auto st = encode(content_type::json, p, body);
  CHECK(st.code == errc::unsupported_type);
  CHECK(st.message == "codec application/json cannot encode shop::point");
}
