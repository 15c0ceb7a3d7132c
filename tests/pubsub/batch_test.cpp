// The actor broker's batches across nodes (actors/publication_batch.hpp): what goes in comes
// out byte for byte, and input that is not a whole batch is refused with a reason, never read
// past its end (every prefix of a valid batch, garbage, absurd counts and lengths).
#include <catch2/catch.hpp>

#include "actors/publication_batch.hpp"

using namespace micro::actors;

namespace {

std::vector<publication> samples() {
  publication a;
  a.topic = "orders.created";
  a.content_type = "application/json";
  a.metadata = {{"traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"}, {"user", "ann"}};
  a.body = R"({"id":1})";
  a.targets = {""};
  publication b;  // empty fields, binary body, several targets
  b.topic = "t";
  b.body = std::string("\0\1\2\xff", 4);
  b.metadata = {{"", ""}};
  b.targets = {"", "billing", "audit"};
  publication c;  // no targets at all
  c.topic = "orders.created";
  c.content_type = "application/octet-stream";
  c.body = std::string(70000, 'x');
  return {a, b, c};
}

std::string batch_of(const std::vector<publication>& pubs) {
  std::string batch;
  begin_publication_batch(batch, static_cast<uint32_t>(pubs.size()), 0);
  for (auto& p : pubs) {
    std::string head;
    encode_publication_head(head, p);
    append_to_batch(batch, head, p.targets);
  }
  return batch;
}

void check_same(const publication& x, const publication& y) {
  CHECK(x.topic == y.topic);
  CHECK(x.content_type == y.content_type);
  CHECK(x.metadata == y.metadata);
  CHECK(x.body == y.body);
  CHECK(x.targets == y.targets);
}

}  // namespace

TEST_CASE("a publication batch comes back as it was sent", "[batch]") {
  auto pubs = samples();
  std::vector<publication> out{publication{}};  // replaced, not appended to
  REQUIRE(decode_publication_batch(batch_of(pubs), out).empty());
  REQUIRE(out.size() == pubs.size());
  for (std::size_t i = 0; i < pubs.size(); ++i)
    check_same(out[i], pubs[i]);

  std::vector<publication> none;
  REQUIRE(decode_publication_batch(batch_of({}), none).empty());
  CHECK(none.empty());

  // A head alone (what a publisher's thread encodes): the same, without targets.
  std::string head;
  encode_publication_head(head, pubs[0]);
  publication one;
  REQUIRE(decode_publication_head(head, one));
  auto expected = pubs[0];
  expected.targets.clear();
  check_same(one, expected);
  publication extra;
  CHECK_FALSE(decode_publication_head(head + "x", extra));
  CHECK_FALSE(decode_publication_head(head.substr(0, head.size() - 1), extra));
}

TEST_CASE("a malformed publication batch is refused with a reason", "[batch]") {
  const auto good = batch_of(samples());
  std::vector<publication> out;
  // Every cut short batch fails (and under ASan: reads nothing past its end).
  for (std::size_t n = 0; n < good.size(); n += (n < 400 ? 1 : 997)) {
    INFO("prefix of " << n << " bytes");
    CHECK_FALSE(decode_publication_batch(good.substr(0, n), out).empty());
  }
  CHECK(decode_publication_batch(good + "!", out).find("left over") != std::string::npos);
  CHECK(decode_publication_batch("xpb1" + good.substr(4), out).find("bad tag") != std::string::npos);
  CHECK_FALSE(decode_publication_batch(std::string(64, '\xff'), out).empty());

  // A count or a length far beyond the bytes there: refused before anything is sized by it.
  std::string huge_count = "mpb1";
  huge_count += std::string("\xff\xff\xff\x7f", 4);
  CHECK(decode_publication_batch(huge_count, out).find("cannot fit") != std::string::npos);
  std::string huge_string = "mpb1";
  huge_string += std::string("\x01\x00\x00\x00", 4);
  huge_string += std::string("\xff\xff\xff\xff", 4) + std::string(16, 'a');
  CHECK(decode_publication_batch(huge_string, out).find("past the end") != std::string::npos);
}

// A node's answer as a publish_ack frame body (byte transports).
TEST_CASE("a publish ack comes back as it was sent, and a malformed one is refused with a coded reason", "[batch]") {
  publish_ack ack{429, "subscriber of t is full (2 in flight)", {0, 429, 0, -1}};
  std::string body;
  encode_publish_ack(ack, body);
  publish_ack out{1, "stale", {7}};  // replaced
  REQUIRE(decode_publish_ack(body, out).ok());
  CHECK(out.code == ack.code);
  CHECK(out.detail == ack.detail);
  CHECK(out.item_codes == ack.item_codes);
  std::string empty;
  encode_publish_ack(publish_ack{}, empty);
  REQUIRE(decode_publish_ack(empty, out).ok());
  CHECK((out.code == 0 && out.detail.empty() && out.item_codes.empty()));

  for (std::size_t n = 0; n < body.size(); ++n) {
    INFO("prefix of " << n << " bytes");
    auto st = decode_publish_ack(std::string_view{body}.substr(0, n), out);
    CHECK(st.code == micro::transport::errc::bad_frame);
  }
  CHECK(decode_publish_ack(body + "!", out).code == micro::transport::errc::bad_frame);
  // A count of item codes far beyond the bytes there: refused before anything is sized by it.
  std::string lie;
  encode_publish_ack(publish_ack{503, "x", {}}, lie);
  lie.replace(lie.size() - 4, 4, std::string("\x7f\xff\xff\xff", 4));
  auto st = decode_publish_ack(lie, out);
  CHECK(st.code == micro::transport::errc::bad_frame);
  CHECK(st.message.find("count") != std::string::npos);
  CHECK(decode_publish_ack(std::string(3, '\xff'), out).code == micro::transport::errc::bad_frame);
}
