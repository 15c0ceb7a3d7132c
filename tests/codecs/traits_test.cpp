#include <catch2/catch.hpp>

#include <cstdint>
#include <vector>

#include "codecs/codec.hpp"
#include "greeter.pb.h"
#include "test_types.hpp"

using namespace micro::codecs;

namespace units {
enum class scale { celsius, kelvin };
}
MSGPACK_ADD_ENUM(units::scale);
// Adapted by specialisation, which detection cannot see: opt in.
template <>
struct micro::codecs::msgpack_adapted<units::scale> : std::true_type {};

TEST_CASE("type_name uses protobuf full names, else demangled C++ names", "[traits]") {
  CHECK(type_name<greeter::Request>() == "greeter.Request");
  CHECK(type_name<shop::order>() == "shop::order");
  CHECK(type_name<std::string>() == "std::string");
  CHECK(type_name<int>() == "int");
  // Short on purpose: it travels in every registry entry (see type_name.hpp).
  CHECK(type_name<nlohmann::json>() == "json");
  CHECK(type_name<std::vector<std::uint8_t>>() == "std::vector<unsigned char, std::allocator<unsigned char> >");
}

TEST_CASE("default_content_type follows the type's capabilities", "[traits]") {
  CHECK(default_content_type<greeter::Request>() == content_type::protobuf);
  CHECK(default_content_type<google::protobuf::Message>() == content_type::protobuf);
  CHECK(default_content_type<std::string>() == content_type::octet_stream);
  CHECK(default_content_type<std::vector<std::uint8_t>>() == content_type::octet_stream);
  CHECK(default_content_type<frame>() == content_type::octet_stream);
  CHECK(default_content_type<shop::order>() == content_type::json);  // JSON wins over msgpack
  CHECK(default_content_type<nlohmann::json>() == content_type::json);
  CHECK(default_content_type<std::map<std::string, int>>() == content_type::json);
  CHECK(default_content_type<shop::point>() == content_type::msgpack);
  CHECK(default_content_type<shop::opaque>().empty());
}

TEST_CASE("capability detection", "[traits]") {
  STATIC_REQUIRE(is_protobuf_message_v<greeter::Response>);
  STATIC_REQUIRE_FALSE(is_json_encodable_v<greeter::Response>);
  STATIC_REQUIRE_FALSE(is_msgpack_adapted_v<greeter::Response>);
  STATIC_REQUIRE(is_json_encodable_v<shop::note>);
  STATIC_REQUIRE(is_json_decodable_v<shop::note>);
  STATIC_REQUIRE_FALSE(is_msgpack_adapted_v<shop::note>);
  STATIC_REQUIRE(is_msgpack_adapted_v<shop::point>);
  STATIC_REQUIRE_FALSE(is_json_encodable_v<shop::point>);
  STATIC_REQUIRE(is_msgpack_adapted_v<std::map<std::string, std::vector<double>>>);
  STATIC_REQUIRE_FALSE(is_msgpack_adapted_v<std::vector<shop::note>>);
  STATIC_REQUIRE_FALSE(is_msgpack_adapted_v<long double>);
  STATIC_REQUIRE(is_bytes_v<std::string>);
  STATIC_REQUIRE_FALSE(is_bytes_v<std::vector<int>>);
  STATIC_REQUIRE_FALSE(is_json_encodable_v<shop::opaque>);
  // Decoding into a view would leave it pointing into a dead JSON document.
  STATIC_REQUIRE(is_json_encodable_v<std::string_view>);
  STATIC_REQUIRE_FALSE(is_json_decodable_v<std::string_view>);
}

TEST_CASE("an opted-in msgpack adaptor works", "[traits][msgpack]") {
  std::string body;
  REQUIRE(encode(content_type::msgpack, units::scale::kelvin, body));
  CHECK(body == "\x01");
  units::scale s = units::scale::celsius;
  REQUIRE(decode(content_type::msgpack, body, s));
  CHECK(s == units::scale::kelvin);
}

TEST_CASE("views expose exactly the capabilities of the type", "[traits]") {
  greeter::Request req;
  message_view pb(req);
  CHECK(pb.protobuf() == &req);
  CHECK(pb.type_name() == "greeter.Request");
  CHECK_FALSE(pb.has_json());
  CHECK_FALSE(pb.has_msgpack());
  CHECK_FALSE(pb.has_bytes());

  std::string s = "abc";
  message_view sv(s);
  CHECK(sv.protobuf() == nullptr);
  CHECK(sv.has_json());
  CHECK(sv.has_msgpack());
  REQUIRE(sv.has_bytes());
  CHECK(sv.bytes() == "abc");
  CHECK(sv.get_if<std::string>() == &s);
  CHECK(sv.get_if<int>() == nullptr);

  shop::opaque o;
  mutable_message_view ov(o);
  CHECK(ov.protobuf() == nullptr);
  CHECK_FALSE(ov.has_json());
  CHECK_FALSE(ov.has_msgpack());
  CHECK_FALSE(ov.has_bytes());
  CHECK(ov.get_if<shop::opaque>() == &o);
}
