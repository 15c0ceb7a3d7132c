#include <catch2/catch.hpp>

#include "codecs/codec.hpp"
#include "greeter.pb.h"
#include "test_types.hpp"

using namespace micro::codecs;

TEST_CASE("MSGPACK_DEFINE types round trip", "[msgpack]") {
  shop::order in{"o-1", 2, {"apple"}};
  std::string body;
  REQUIRE(encode(content_type::msgpack, in, body));
  // MSGPACK_DEFINE_MAP writes a map of 3 (0x83) keyed by field name.
  CHECK(static_cast<unsigned char>(body[0]) == 0x83);
  shop::order out;
  REQUIRE(decode(content_type::msgpack, body, out));
  CHECK(out == in);

  shop::point p{-3, 7};
  REQUIRE(encode(content_type::msgpack, p, body));
  CHECK(body == std::string("\x92\xfd\x07", 3));  // array of 2: -3, 7
  shop::point q;
  REQUIRE(decode(content_type::msgpack, body, q));
  CHECK(q.x == -3);
  CHECK(q.y == 7);
}

TEST_CASE("standard types round trip through msgpack", "[msgpack]") {
  std::map<std::string, std::vector<int>> m{{"a", {1, 2, 3}}, {"b", {}}};
  std::string body;
  REQUIRE(encode(content_type::msgpack, m, body));
  std::map<std::string, std::vector<int>> back;
  REQUIRE(decode(content_type::msgpack, body, back));
  CHECK(back == m);

  std::string s = "text";
  REQUIRE(encode(content_type::msgpack, s, body));
  CHECK(body == "\xa4text");
}

TEST_CASE("truncated msgpack is undecodable", "[msgpack]") {
  shop::order in{"o-1", 2, {"apple"}};
  std::string body;
  REQUIRE(encode(content_type::msgpack, in, body));
  body.pop_back();
  shop::order out;
  auto st = decode(content_type::msgpack, body, out);
  CHECK(st.code == errc::undecodable);
  CHECK_THAT(st.message, Catch::Contains("truncated") && Catch::Contains("shop::order"));

  st = decode(content_type::msgpack, "", out);
  CHECK(st.code == errc::undecodable);
}

TEST_CASE("malformed msgpack is undecodable", "[msgpack]") {
  int n = 0;
  auto st = decode(content_type::msgpack, "\xc1", n);  // 0xc1 is never used
  CHECK(st.code == errc::undecodable);
  CHECK_THAT(st.message, Catch::Contains("malformed msgpack"));
}

TEST_CASE("trailing bytes after a msgpack value are rejected", "[msgpack]") {
  int n = 0;
  auto st = decode(content_type::msgpack, std::string("\x05\x06", 2), n);
  CHECK(st.code == errc::undecodable);
  CHECK_THAT(st.message, Catch::Contains("1 trailing bytes"));
}

TEST_CASE("msgpack type mismatch is undecodable", "[msgpack]") {
  shop::point p;
  auto st = decode(content_type::msgpack, "\xa4text", p);
  CHECK(st.code == errc::undecodable);
  CHECK_THAT(st.message, Catch::Contains("a string") && Catch::Contains("does not match"));

  std::vector<int> v;
  st = decode(content_type::msgpack, std::string("\x92\x01\xa1x", 4), v);  // [1, "x"]
  CHECK(st.code == errc::undecodable);
}

TEST_CASE("a msgpack header claiming a huge array fails without allocating it", "[msgpack]") {
  std::vector<int> v;
  auto st = decode(content_type::msgpack, std::string("\xdd\xff\xff\xff\xff", 5), v);  // array32 of 4G
  CHECK(st.code == errc::undecodable);
  CHECK_THAT(st.message, Catch::Contains("array size overflow"));
  std::string s;
  st = decode(content_type::msgpack, std::string("\xdb\xff\xff\xff\xff", 5), s);  // str32 of 4G
  CHECK(st.code == errc::undecodable);
}

TEST_CASE("deeply nested msgpack is rejected", "[msgpack]") {
  std::string body(100000, '\x91');  // [[[[...
  body += '\x00';
  std::vector<int> v;
  auto st = decode(content_type::msgpack, body, v);
  CHECK(st.code == errc::too_deep);
  CHECK_THAT(st.message, Catch::Contains("depth"));
}

TEST_CASE("msgpack refuses types it is not adapted for", "[msgpack]") {
  shop::note n{"x"};
  std::string body;
  auto st = encode(content_type::msgpack, n, body);
  CHECK(st.code == errc::unsupported_type);
  CHECK(st.message == "codec application/msgpack cannot encode shop::note");
  greeter::Response rsp;
  st = decode(content_type::msgpack, "\x80", rsp);
  CHECK(st.code == errc::unsupported_type);
}
