// micro's unary wire messages as frame bodies: round trip, and malformed bodies as coded errors.
#include <catch2/catch.hpp>

#include "actors/wire_body.hpp"
#include "transport/body.hpp"

using namespace micro::actors;
using micro::transport::errc;

namespace {

request sample_request() {
  request r;
  r.service = "greeter";
  r.endpoint = "Greeter.Hello";
  r.content_type = "application/json";
  r.accept = "application/msgpack";
  r.metadata = {{"trace-id", "abc"}, {"user", std::string("\0bin\xff", 5)}};
  r.timeout_ns = -5;  // negative survives (an expired deadline is the receiver's business)
  r.body = std::string(70000, 'b');
  return r;
}

}  // namespace

TEST_CASE("requests and responses round-trip through frame bodies", "[wire]") {
  auto in = sample_request();
  std::string bytes;
  encode_request(in, bytes);
  request out;
  REQUIRE(decode_request(bytes, out).ok());
  CHECK(out.service == in.service);
  CHECK(out.endpoint == in.endpoint);
  CHECK(out.content_type == in.content_type);
  CHECK(out.accept == in.accept);
  CHECK(out.metadata == in.metadata);
  CHECK(out.timeout_ns == in.timeout_ns);
  CHECK(out.body == in.body);

  response rsp{503, "micro.server", "busy", "application/json", {{"k", "v"}}, "{}"};
  bytes.clear();
  encode_response(rsp, bytes);
  response back;
  REQUIRE(decode_response(bytes, back).ok());
  CHECK(back.code == 503);
  CHECK(back.error_id == "micro.server");
  CHECK(back.detail == "busy");
  CHECK(back.content_type == "application/json");
  CHECK(back.metadata == rsp.metadata);
  CHECK(back.body == "{}");
}

TEST_CASE("every truncation of a request is a coded error naming a field", "[wire]") {
  auto in = sample_request();
  in.body = "small";
  std::string bytes;
  encode_request(in, bytes);
  for (std::size_t cut = 0; cut < bytes.size(); ++cut) {
    request out;
    auto st = decode_request(std::string_view{bytes}.substr(0, cut), out);
    REQUIRE(st.code == errc::bad_frame);
    CHECK(st.message.rfind("request: ", 0) == 0);
  }
  request out;
  auto st = decode_request(bytes + "x", out);
  CHECK(st.code == errc::bad_frame);
  CHECK(st.message.find("past the last field") != std::string::npos);
}

TEST_CASE("lengths and counts that claim more than the body are refused before allocating", "[wire]") {
  // A service name claiming 4 GiB, in a 4-byte body.
  request out;
  auto st = decode_request(std::string("\xff\xff\xff\xff", 4), out);
  CHECK(st.code == errc::bad_frame);
  CHECK(st.message.find("service") != std::string::npos);
  CHECK(st.message.find("4294967295") != std::string::npos);

  // A metadata map claiming 2^32-1 entries.
  std::string bytes;
  micro::transport::body_writer w{bytes};
  w.i32(0);
  w.str("");
  w.str("");
  w.str("");
  w.u32(0xffffffffu);
  response rsp;
  st = decode_response(bytes, rsp);
  CHECK(st.code == errc::bad_frame);
  CHECK(st.message.find("metadata: claims 4294967295 entries") != std::string::npos);
  CHECK(rsp.metadata.empty());
}
