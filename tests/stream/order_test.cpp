// Ordering and completeness: every message arrives once, in order, in each direction.
#include <catch2/catch.hpp>

#include "stream_helpers.hpp"

using namespace micro::test;

namespace {

constexpr uint64_t many = 100000;

}  // namespace

TEST_CASE("100,000 messages each way through an echo stream arrive complete and in order", "[stream]") {
  auto server = start_stream_server();
  auto client = make_client(server);
  auto s = client->stream_raw({}, "streams", "Stream.Echo");
  REQUIRE(s.ok());
  micro::status send_status;
  joining_thread writer{[&] {
    for (uint64_t i = 0; i < many && send_status; ++i)
      send_status = s->send(numbered(i, 64));
    s->close_send();
  }};
  std::string body;
  uint64_t expected = 0;
  bool in_order = true;
  while (s->recv(body)) {
    in_order = in_order && sequence_of(body) == expected && body.size() == 64;
    ++expected;
  }
  writer.join();
  CHECK(send_status.ok());
  CHECK(in_order);
  CHECK(expected == many);
  CHECK(s->finish().ok());
  auto ev = wait_stream_end(server, "Stream.Echo");
  REQUIRE(ev.is_object());
  CHECK(ev["received"] == many);
  CHECK(ev["code"] == 0);
}

TEST_CASE("a client stream of 100,000 messages reaches the server in order (client streaming)", "[stream]") {
  auto server = start_stream_server();
  auto client = make_client(server);
  auto s = client->stream_raw({}, "streams", "Stream.Sink");
  REQUIRE(s.ok());
  for (uint64_t i = 0; i < many; ++i)
    REQUIRE(s->send(numbered(i, 64)).ok());
  REQUIRE(s->close_send().ok());
  std::string body;
  REQUIRE(s->recv(body));
  auto summary = json::parse(body);
  CHECK(summary["received"] == many);
  CHECK(summary["in_order"] == true);
  CHECK_FALSE(s->recv(body));
  CHECK(s->final_status().ok());
}

TEST_CASE("a server stream of 100,000 messages reaches the client in order (server streaming)", "[stream]") {
  auto server = start_stream_server();
  auto client = make_client(server);
  auto s = client->stream_raw({}, "streams", "Stream.Count",
                              micro::stream_options{}.with_content_type("application/json").with_metadata("raw", "1"));
  REQUIRE(s.ok());
  REQUIRE(s->send(json{{"count", many}, {"size", 64}}.dump()).ok());
  REQUIRE(s->close_send().ok());
  std::string body;
  uint64_t expected = 0;
  bool in_order = true;
  while (s->recv(body)) {
    in_order = in_order && sequence_of(body) == expected;
    ++expected;
  }
  CHECK(in_order);
  CHECK(expected == many);
  CHECK(s->final_status().ok());
}

TEST_CASE("typed streams encode and decode through the codecs", "[stream]") {
  auto server = start_stream_server();
  auto client = make_client(server);
  auto s = client->stream<json, json>("streams", "Stream.Count");
  REQUIRE(s.ok());
  REQUIRE(s->send(json{{"count", 500}, {"size", 10}}).ok());
  json msg;
  uint64_t expected = 0;
  while (s->recv(msg)) {
    CHECK(msg["i"] == expected);
    CHECK(msg["pad"] == std::string(10, 'p'));
    ++expected;
  }
  CHECK(expected == 500);
  CHECK(s->finish().ok());
}
