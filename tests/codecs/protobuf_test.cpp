#include <catch2/catch.hpp>

#include "codecs/codec.hpp"
#include "greeter.pb.h"
#include "legacy.pb.h"
#include "test_types.hpp"

using namespace micro::codecs;

TEST_CASE("protobuf round trip keeps every field", "[protobuf]") {
  greeter::Request in;
  in.set_name("John");
  in.set_count(3);
  in.add_tags("a");
  in.add_tags("b");
  std::string body;
  REQUIRE(encode(content_type::protobuf, in, body));
  CHECK(body == in.SerializeAsString());

  greeter::Request out;
  out.set_user_id("stale");  // decoding replaces, it does not merge
  REQUIRE(decode(content_type::protobuf, body, out));
  CHECK(out.name() == "John");
  CHECK(out.count() == 3);
  REQUIRE(out.tags_size() == 2);
  CHECK(out.tags(1) == "b");
  CHECK(out.user_id().empty());
}

TEST_CASE("protobuf works through a google::protobuf::Message reference", "[protobuf]") {
  greeter::Response rsp;
  rsp.set_msg("hi");
  const google::protobuf::Message& base = rsp;
  std::string body;
  REQUIRE(encode(content_type::protobuf, base, body));
  greeter::Response back;
  google::protobuf::Message& target = back;
  REQUIRE(decode(content_type::protobuf, body, target));
  CHECK(back.msg() == "hi");
}

TEST_CASE("truncated protobuf is undecodable", "[protobuf]") {
  greeter::Request in;
  in.set_name("a fairly long name");
  auto body = in.SerializeAsString();
  body.resize(body.size() - 5);  // cut inside the string field
  greeter::Request out;
  auto st = decode(content_type::protobuf, body, out);
  CHECK(st.code == errc::undecodable);
  CHECK_THAT(st.message, Catch::Contains("greeter.Request") && Catch::Contains("application/protobuf"));
}

TEST_CASE("garbage protobuf is undecodable", "[protobuf]") {
  greeter::Request out;
  auto st = decode(content_type::protobuf, std::string("\xff\xff\xff\xff\xff", 5), out);
  CHECK(st.code == errc::undecodable);
}

TEST_CASE("empty protobuf body is the empty message", "[protobuf]") {
  greeter::Request out;
  out.set_name("x");
  REQUIRE(decode(content_type::protobuf, "", out));
  CHECK(out.name().empty());
}

TEST_CASE("proto2 required fields are checked both ways", "[protobuf]") {
  legacy::Strict missing;
  missing.set_level(1);
  std::string body;
  auto st = encode(content_type::protobuf, missing, body);
  CHECK(st.code == errc::encode_failed);
  CHECK_THAT(st.message, Catch::Contains("id"));
  CHECK(body.empty());

  legacy::Strict out;
  st = decode(content_type::protobuf, missing.SerializePartialAsString(), out);
  CHECK(st.code == errc::undecodable);
  CHECK_THAT(st.message, Catch::Contains("missing required fields: id"));
}

TEST_CASE("protobuf codec refuses non-protobuf types", "[protobuf]") {
  std::string body = "leftover";
  auto st = encode(content_type::protobuf, 42, body);
  CHECK(st.code == errc::unsupported_type);
  CHECK(st.message == "codec application/protobuf cannot encode int");
  CHECK(body.empty());

  shop::order o;
  st = decode(content_type::protobuf, "", o);
  CHECK(st.code == errc::unsupported_type);
  CHECK(st.message == "codec application/protobuf cannot decode into shop::order");
}

TEST_CASE("protobuf messages do not go through msgpack or octet-stream", "[protobuf]") {
  greeter::Request req;
  std::string body;
  auto st = encode(content_type::msgpack, req, body);
  CHECK(st.code == errc::unsupported_type);
  CHECK(st.message == "codec application/msgpack cannot encode greeter.Request");
  st = decode(content_type::octet_stream, "x", req);
  CHECK(st.code == errc::unsupported_type);
  CHECK(st.message == "codec application/octet-stream cannot decode into greeter.Request");
}
