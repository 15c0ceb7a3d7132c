// Codec limits (codecs/limits.hpp): a body over its codec's max message size is too_large, and
// nesting past max_depth is too_deep, for decode and encode, before a decoder builds anything.
#include <catch2/catch.hpp>

#include <map>
#include <string>
#include <vector>

#include "codecs/codec.hpp"

namespace codecs = micro::codecs;
using codecs::errc;

namespace {

std::string nested(std::size_t depth, char open, char close) {
  return std::string(depth, open) + std::string(depth, close);
}

}  // namespace

TEST_CASE("codec limits: every codec takes 16 MiB by default, each can be lowered on its own") {
  codecs::codec_registry r = codecs::default_codecs();
  CHECK(r.max_message_size("application/json") == codecs::default_max_message_size);
  CHECK(r.max_message_size("application/x-protobuf") == (std::size_t{16} << 20));
  REQUIRE(r.set_max_message_size("text/json", 1024));  // an alias names its codec
  CHECK(r.max_message_size("Application/JSON; charset=utf-8") == 1024);
  CHECK(r.max_message_size("application/msgpack") == codecs::default_max_message_size);
  CHECK_FALSE(r.set_max_message_size("text/unknown", 1));
  CHECK(r.max_message_size("text/unknown") == 0);

  std::string big = "\"" + std::string(2000, 'x') + "\"";
  std::string text;
  auto st = codecs::decode(r, "application/json", big, text);
  CHECK(st.code == errc::too_large);
  CHECK(st.message.find("2002 bytes") != std::string::npos);
  CHECK(st.message.find("limit of 1024 bytes") != std::string::npos);
  std::string out;
  CHECK(codecs::encode(r, "application/json", std::string(2000, 'x'), out).code == errc::too_large);
  CHECK(out.empty());
  // A frame passes through unchanged, but not past the limit either.
  codecs::frame raw{big};
  CHECK(codecs::encode(r, "application/json", raw, out).code == errc::too_large);
  CHECK(codecs::decode(r, "application/json", big, raw).code == errc::too_large);
  // The same bytes are fine for a codec that kept its limit.
  std::string bytes;
  CHECK(codecs::decode(r, "application/octet-stream", big, bytes).ok());
  CHECK(codecs::decode(r, "application/json", "\"small\"", text).ok());
}

TEST_CASE("codec limits: one limit for every codec, also those added later") {
  codecs::codec_registry r = codecs::default_codecs();
  r.set_max_message_size(100);
  for (auto type : r.content_types())
    CHECK(r.max_message_size(type) == 100);
  r.add(std::make_shared<codecs::json_codec>());  // a replaced codec keeps its limit
  CHECK(r.max_message_size("application/json") == 100);
  std::string bytes;
  CHECK(codecs::decode(r, "application/octet-stream", std::string(101, 'x'), bytes).code == errc::too_large);
  CHECK(codecs::decode(r, "application/octet-stream", std::string(100, 'x'), bytes).ok());
}

TEST_CASE("codec limits: JSON nested deeper than max_depth is too_deep, not a stack overflow") {
  nlohmann::json any;
  CHECK(codecs::decode("application/json", nested(codecs::max_depth, '[', ']'), any).ok());
  auto st = codecs::decode("application/json", nested(codecs::max_depth + 1, '[', ']'), any);
  CHECK(st.code == errc::too_deep);
  CHECK(st.message.find("deeper than max_depth 256") != std::string::npos);
  // 200,000 levels (400 KB) used to overflow the stack copying the parsed value (fuzz/codec_json).
  CHECK(codecs::decode("application/json", nested(200000, '[', ']'), any).code == errc::too_deep);
  std::map<std::string, std::vector<int>> typed;
  CHECK(codecs::decode("application/json", "{\"a\":" + nested(300, '[', ']') + "}", typed).code == errc::too_deep);
  // Brackets inside strings (escaped quotes too) are text, not nesting.
  std::string text;
  CHECK(codecs::decode("application/json", "\"\\\"" + std::string(1000, '[') + "\"", text).ok());
}

TEST_CASE("codec limits: msgpack nested deeper than max_depth is too_deep") {
  std::string deep(codecs::max_depth + 1, '\x91');  // fixarray of one element, 257 times
  deep += '\x01';
  std::vector<int> v;
  auto st = codecs::decode("application/msgpack", deep, v);
  CHECK(st.code == errc::too_deep);
  CHECK(std::string(codecs::to_string(st.code)) == "too_deep");
  CHECK(std::string(codecs::to_string(errc::too_large)) == "too_large");
}
