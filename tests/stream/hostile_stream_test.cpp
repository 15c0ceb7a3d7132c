// Bad stream frames from a raw socket on a node's tcp transport: each is refused with a coded
// reason (the connection closed, or the one stream ended), and the node goes on serving.
#include <catch2/catch.hpp>

#include "actors/stream_wire_body.hpp"
#include "actors/wire_body.hpp"
#include "raw_socket.hpp"
#include "stream_helpers.hpp"

using namespace micro::test;
using micro::transport::frame_kind;
using transport_test::frame_of;
using transport_test::full_frame;
using transport_test::parse_full;

namespace {



std::string open_body(const std::string& endpoint, uint32_t window = 64) {
  micro::actors::request open;
  open.service = "streams";
  open.endpoint = endpoint;
  open.content_type = open.accept = "application/octet-stream";
  open.timeout_ns = std::chrono::nanoseconds{10s}.count();
  std::string body;
  micro::actors::encode_stream_open(open, window, 0, body);
  return body;
}

std::string batch_of(std::size_t n) {
  std::vector<std::string> items(n, "x");
  std::string body;
  micro::actors::encode_stream_batch(items.data(), items.data() + items.size(), body);
  return body;
}

// A raw peer of the node's tcp transport, past the handshake.
struct raw_peer {
  transport_test::raw_socket sock;
  std::string received;
  explicit raw_peer(const running_server& s)
    : sock{"127.0.0.1:" + s.meta.substr(s.meta.find("transport_address=") + std::string{"transport_address="}.size())} {
    sock.send(transport_test::hello());
    REQUIRE(sock.wait_frames(1, 5s, received));
    REQUIRE(parse_full(received)[0].kind == frame_kind::hello);
  }
  // Waits until a frame `pick` accepts arrived (after the handshake); false if none in time.
  template <class Pick>
  std::vector<full_frame> frames_until(std::size_t n, Pick pick) {
    auto until = steady_clock::now() + 10s;
    for (;;) {
      std::vector<full_frame> hits;
      for (auto& f : parse_full(received))
        if (pick(f)) hits.push_back(f);
      if (hits.size() >= n || steady_clock::now() >= until)
        return hits;
      auto have = parse_full(received).size();
      if (!sock.wait_frames(have + 1, std::chrono::duration_cast<milliseconds>(until - steady_clock::now()), received))
        return hits;
    }
  }
  // Opens stream `id` and waits for its answer; returns its code.
  int32_t open(uint64_t id, const std::string& endpoint) {
    sock.send(frame_of(frame_kind::stream_open, id, open_body(endpoint)));
    auto answers = frames_until(1, [id](const full_frame& f) { return f.kind == frame_kind::stream_open && f.id == id; });
    REQUIRE(answers.size() == 1);
    micro::actors::response rsp;
    REQUIRE(micro::actors::decode_response(answers[0].body, rsp).ok());
    return rsp.code;
  }
};

// The node still opens streams and answers calls for a well-behaved client.
void expect_service(const running_server& server) {
  auto client = make_client(server);
  auto s = client->stream_raw({}, "streams", "Stream.Echo");
  INFO((s.ok() ? std::string{} : s.error().to_json()));
  REQUIRE(s.ok());
  REQUIRE(s->send("after the attack").ok());
  s->close_send();
  std::string body;
  REQUIRE(s->recv(body));
  CHECK(body == "after the attack");
  CHECK(!s->recv(body));
  CHECK(s->finish().ok());
}

bool mentions(const std::string& bytes, const std::string& what) { return bytes.find(what) != std::string::npos; }

}  // namespace

TEST_CASE("stream data for a stream never opened closes that connection with a reason", "[stream][hostile]") {
  auto server = start_stream_server();
  raw_peer bad{server};
  bad.sock.send(frame_of(frame_kind::stream_data, 7, batch_of(1)));  // data before any open
  CHECK(bad.sock.wait_closed(5s, &bad.received));
  CHECK(mentions(bad.received, "never opened"));
  expect_service(server);
}

TEST_CASE("a stream frame for an unknown stream id beside an open one closes the connection", "[stream][hostile]") {
  auto server = start_stream_server();
  raw_peer bad{server};
  REQUIRE(bad.open(1, "Stream.Echo") == 0);
  bad.sock.send(frame_of(frame_kind::stream_credit, 1000, std::string(4, '\0')));
  CHECK(bad.sock.wait_closed(5s, &bad.received));
  CHECK(mentions(bad.received, "stream 1000"));
  expect_service(server);
}

TEST_CASE("a stream batch whose count claims more than its body closes the connection", "[stream][hostile]") {
  auto server = start_stream_server();
  raw_peer bad{server};
  REQUIRE(bad.open(1, "Stream.Echo") == 0);
  std::string lie = batch_of(1);
  lie[0] = '\x7f';  // count 0x7f000001, body of one message
  bad.sock.send(frame_of(frame_kind::stream_data, 1, lie));
  CHECK(bad.sock.wait_closed(5s, &bad.received));
  CHECK(mentions(bad.received, "count"));
  expect_service(server);
}

TEST_CASE("a stream batch past the stream's credit ends that stream with 400, not the connection", "[stream][hostile]") {
  auto server = start_stream_server();
  raw_peer bad{server};
  REQUIRE(bad.open(1, "Stream.Wait") == 0);
  auto hello = bad.frames_until(1, [](const full_frame& f) {
    return f.kind == frame_kind::stream_credit && f.flags == micro::transport::stream_hello;
  });
  REQUIRE(hello.size() == 1);
  uint32_t credit = 0;
  REQUIRE(micro::actors::decode_stream_credit(hello[0].body, credit).ok());
  bad.sock.send(frame_of(frame_kind::stream_data, 1, batch_of(credit + 1)));
  auto ends = bad.frames_until(1, [](const full_frame& f) { return f.kind == frame_kind::stream_end && f.flags == 0; });
  REQUIRE(ends.size() == 1);
  micro::actors::stream_end end;
  REQUIRE(micro::actors::decode_stream_end(ends[0].body, end).ok());
  CHECK(end.code == 400);
  CHECK(mentions(end.detail, "credit"));
  // The same connection still opens streams.
  CHECK(bad.open(2, "Stream.Echo") == 0);
  CHECK(!bad.sock.closed_now());
  expect_service(server);
}

TEST_CASE("a flood of stream opens past the service's limit is refused with 503, and the node serves after",
          "[stream][hostile]") {
  auto server = start_stream_server("streams", {{"MICRO_SERVER_MAX_STREAMS", "4"}});
  {
    raw_peer flood{server};
    std::string opens;
    for (uint64_t id = 1; id <= 40; ++id)
      opens += frame_of(frame_kind::stream_open, id, open_body("Stream.Wait"));
    flood.sock.send(opens);
    auto answers = flood.frames_until(40, [](const full_frame& f) { return f.kind == frame_kind::stream_open; });
    REQUIRE(answers.size() == 40);
    int accepted = 0, refused = 0;
    for (auto& a : answers) {
      micro::actors::response rsp;
      REQUIRE(micro::actors::decode_response(a.body, rsp).ok());
      accepted += rsp.code == 0;
      refused += rsp.code == 503;
      if (rsp.code != 0)
        CHECK((a.flags & micro::transport::stream_released) != 0);
    }
    CHECK(accepted == 4);
    CHECK(refused == 36);
  }  // closing the raw connection ends its four streams on the server
  for (int i = 0; i < 4; ++i) {
    auto ev = wait_stream_end(server, "Stream.Wait");
    INFO(server.proc->transcript());
    REQUIRE(ev.is_object());
    CHECK(ev["code"] == 503);
  }
  expect_service(server);
}
