// Which carrier publications take to a subscriber process, and what its transport does with bad
// publication frames. Over tcp (the default) a batch is a publication frame on the subscriber
// node's transport connection; over caf (pubsub.caf.*) a CAF message over BASP: the counters of
// both processes say which, so the suite cannot pass over the other carrier unnoticed.
#include <catch2/catch.hpp>

#include "actors/publication_batch.hpp"
#include "pubsub_helpers.hpp"
#include "raw_socket.hpp"
#include "transport/limits.hpp"

using namespace micro;
using namespace micro::test;
using micro::transport::frame_kind;
using transport_test::frame_of;
using transport_test::full_frame;
using transport_test::parse_full;

namespace {

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

TEST_CASE("publications reach a subscriber over the carrier of its transport", "[pubsub][mdns][actor][carrier]") {
  if (!actor_broker_or_skip("the actor broker's carriers"))
    return;
  auto c = publisher_client();
  const auto topic = unique_name("carrier");
  auto s = start_subscriber({unique_name("carrier-svc"), topic});
  await_subscribed(*c, topic, {s.get()});

  const auto own_before = own_carriers();
  const auto sub_before = carriers_of(*c, *s);
  constexpr uint64_t n = 50;
  for (uint64_t i = 1; i <= n; ++i)
    REQUIRE(c->publish(topic, tick(i)).ok());
  REQUIRE(s->read_until([&] { return s->received().size() == n; }));
  const auto own = own_carriers();
  const auto sub = carriers_of(*c, *s);
  INFO("transport " << test_transport() << "; publisher sent " << own.sent_transport - own_before.sent_transport
                    << " batch(es) over the transport, " << own.sent_caf - own_before.sent_caf
                    << " over caf; subscriber received " << sub.received_transport << " and " << sub.received_caf
                    << " in all");
  if (test_transport() == "caf") {
    CHECK(own.sent_caf - own_before.sent_caf >= 1);
    CHECK(own.sent_transport == own_before.sent_transport);
    CHECK(sub.received_caf > sub_before.received_caf);
    CHECK(sub.received_transport == 0);
  } else {
    // Every batch it ever got (the markers of await_subscribed too) came on its transport.
    CHECK(own.sent_transport - own_before.sent_transport >= 1);
    CHECK(own.sent_caf == own_before.sent_caf);
    CHECK(sub.received_transport > sub_before.received_transport);
    CHECK(sub.received_caf == 0);
  }
  CHECK(s->seqs().size() == n);
}

// ---- hostile peers on the subscriber's tcp transport



// A batch of one raw publication on `topic` for the node's plain subscribers, numbered `seq`.
std::string batch_of(const std::string& topic, const std::string& seq) {
  std::string head;
  micro::actors::encode_publication_head(head, topic, "application/octet-stream", {{"seq", seq}}, "raw");
  std::string batch;
  micro::actors::begin_publication_batch(batch, 1, head.size());
  micro::actors::append_to_batch(batch, head, {std::string{}});
  return batch;
}

// A raw peer of the subscriber's tcp transport, past the handshake.
struct raw_peer {
  transport_test::raw_socket sock;
  std::string received;
  uint16_t hello_flags = 0;
  explicit raw_peer(const subscriber& s) : sock{"127.0.0.1:" + s.transport_address} {
    sock.send(transport_test::hello());
    REQUIRE(sock.wait_frames(1, 5s, received));
    auto first = parse_full(received).at(0);
    REQUIRE(first.kind == frame_kind::hello);
    hello_flags = first.flags;
  }
  // The publish_ack of batch `id` (waits for it), decoded.
  micro::actors::publish_ack ack_of(uint64_t id) {
    auto until = steady_clock::now() + 10s;
    for (;;) {
      for (auto& f : parse_full(received))
        if (f.kind == frame_kind::publish_ack && f.id == id) {
          micro::actors::publish_ack ack;
          auto st = micro::actors::decode_publish_ack(f.body, ack);
          INFO(st.message);
          REQUIRE(st.ok());
          return ack;
        }
      auto left = std::chrono::duration_cast<milliseconds>(until - steady_clock::now());
      REQUIRE(left.count() > 0);
      REQUIRE(sock.wait_frames(parse_full(received).size() + 1, left, received));
    }
  }
};

}  // namespace

TEST_CASE("bad publication frames on a subscriber's transport get a coded ack or close that connection, and it goes "
          "on",
          "[pubsub][mdns][actor][hostile]") {
  if (!actor_broker_or_skip("publication frames"))
    return;
  auto c = publisher_client();
  const auto topic = unique_name("hostile");
  subscriber_config cfg{unique_name("hostile-svc"), topic};
  cfg.raw = true;  // prints the "seq" metadata of what the raw peer sends
  auto s = start_subscriber(cfg);
  await_subscribed(*c, topic, {s.get()});

  raw_peer bad{*s};
  CHECK((bad.hello_flags & micro::transport::hello_takes_publications) != 0);
  // Garbage where a batch belongs: 400, saying why; the connection stays.
  bad.sock.send(frame_of(frame_kind::publication, 1, "this is no batch"));
  auto garbage = bad.ack_of(1);
  CHECK(garbage.code == 400);
  CHECK(contains(garbage.detail, "malformed publication batch"));
  // A batch whose count claims far more publications than it holds.
  auto lie = batch_of(topic, "1");
  lie[4] = '\xff';
  lie[5] = '\xff';
  lie[6] = '\xff';
  bad.sock.send(frame_of(frame_kind::publication, 2, lie));
  auto lied = bad.ack_of(2);
  CHECK(lied.code == 400);
  CHECK(contains(lied.detail, "cannot fit"));
  // Counted honestly, a batch on the same connection is delivered and acked.
  bad.sock.send(frame_of(frame_kind::publication, 3, batch_of(topic, "77")));
  CHECK(bad.ack_of(3).code == 0);
  REQUIRE(s->read_until([&] { return s->seqs() == std::vector<uint64_t>{77}; }));
  CHECK(!bad.sock.closed_now());
  // An ack the node never asked for (it sends no publications): the connection goes, saying why.
  std::string ack_body;
  micro::actors::encode_publish_ack(micro::actors::publish_ack{}, ack_body);
  bad.sock.send(frame_of(frame_kind::publish_ack, 99, ack_body));
  CHECK(bad.sock.wait_closed(5s, &bad.received));
  CHECK(contains(bad.received, "publish_ack"));

  // A well-behaved publisher is served as before.
  REQUIRE(c->publish(topic, tick(78), publish_options{}.with_metadata("seq", "78")).ok());
  REQUIRE(s->read_until([&] { return s->seqs() == std::vector<uint64_t>{77, 78}; }));
  REQUIRE(s->srv.proc->running());
}

TEST_CASE("a peer with more publication batches unanswered than a connection allows loses that connection",
          "[pubsub][mdns][actor][hostile]") {
  if (!actor_broker_or_skip("publication frames"))
    return;
  auto c = publisher_client();
  const auto topic = unique_name("flood");
  subscriber_config cfg{unique_name("flood-svc"), topic};
  cfg.raw = true;
  cfg.ack = true;  // a batch is acked once its handler ran: the first one sleeps, so none is
  auto s = start_subscriber(cfg);
  await_subscribed(*c, topic, {s.get()});

  raw_peer flood{*s};
  std::string head;
  micro::actors::encode_publication_head(head, topic, "application/octet-stream", {{"seq", "1"}, {"sleep_ms", "3000"}},
                                         "raw");
  std::string sleepy;
  micro::actors::begin_publication_batch(sleepy, 1, head.size());
  micro::actors::append_to_batch(sleepy, head, {std::string{}});
  std::string frames = frame_of(frame_kind::publication, 1, sleepy);
  const auto max = micro::transport::limits{}.max_calls_in_flight;
  for (uint64_t id = 2; id <= max + 10; ++id)
    frames += frame_of(frame_kind::publication, id, batch_of(topic, std::to_string(id)));
  flood.sock.try_send(frames);
  CHECK(flood.sock.wait_closed(10s, &flood.received));
  CHECK(contains(flood.received, "publication batches in flight"));
  REQUIRE(s->srv.proc->running());
}
