#include <catch2/catch.hpp>

#include <cstdint>
#include <string_view>
#include <vector>

#include "codecs/codec.hpp"
#include "test_types.hpp"

using namespace micro::codecs;

TEST_CASE("std::string passes through octet-stream unchanged", "[bytes]") {
  const std::string in("\x00\x01binary\xff", 9);
  std::string body;
  REQUIRE(encode(content_type::octet_stream, in, body));
  CHECK(body == in);
  std::string out = "old";
  REQUIRE(decode(content_type::octet_stream, body, out));
  CHECK(out == in);
}

TEST_CASE("byte vectors pass through octet-stream", "[bytes]") {
  const std::vector<std::uint8_t> in{0, 1, 2, 255};
  std::string body;
  REQUIRE(encode(content_type::octet_stream, in, body));
  CHECK(body == std::string("\x00\x01\x02\xff", 4));
  std::vector<std::uint8_t> out;
  REQUIRE(decode(content_type::octet_stream, body, out));
  CHECK(out == in);

  std::vector<char> chars;
  REQUIRE(decode(content_type::octet_stream, "abc", chars));
  CHECK(chars == std::vector<char>{'a', 'b', 'c'});
}

TEST_CASE("std::string_view can be encoded but not decoded into", "[bytes]") {
  std::string body;
  REQUIRE(encode(content_type::octet_stream, std::string_view("view"), body));
  CHECK(body == "view");
  std::string_view target;
  auto st = decode(content_type::octet_stream, "x", target);
  CHECK(st.code == errc::unsupported_type);
}

TEST_CASE("octet-stream refuses non-byte types", "[bytes]") {
  std::string body;
  auto st = encode(content_type::octet_stream, shop::order{}, body);
  CHECK(st.code == errc::unsupported_type);
  CHECK(st.message == "codec application/octet-stream cannot encode shop::order");
  int n = 0;
  st = decode(content_type::octet_stream, "1", n);
  CHECK(st.code == errc::unsupported_type);
  CHECK(st.message == "codec application/octet-stream cannot decode into int");
}

TEST_CASE("a frame passes through every codec unchanged", "[bytes]") {
  frame in{R"({"already":"json"})"};
  std::string body;
  REQUIRE(encode(content_type::json, in, body));
  CHECK(body == in.data);
  REQUIRE(encode(content_type::protobuf, in, body));
  CHECK(body == in.data);

  frame out;
  REQUIRE(decode(content_type::msgpack, "\xc1 not even msgpack", out));
  CHECK(out.data == "\xc1 not even msgpack");

  auto st = encode("text/unknown", in, body);
  CHECK(st.code == errc::unknown_content_type);
}
