// The broker actor's transport carrier in one process (actors level): two nodes, each a broker
// actor, the subscribing one served by a transport server on the memory transport. A batch goes
// as a publication frame and comes back as a publish_ack frame; a node without a broker, a stray
// ack, a connection that dies with a batch in flight, a node of an older micro (its hello does
// not say it takes publications: CAF's port, never a publication frame) and a node whose
// transport is not where the registry says (CAF's port) each behave as the broker promises.
#include <catch2/catch.hpp>

#include <atomic>
#include <condition_variable>
#include <mutex>

#include "actors/broker_actor.hpp"
#include "actors/call_plan.hpp"
#include "actors/direct_calls.hpp"
#include "actors/node_actor.hpp"
#include "actors/publication_batch.hpp"
#include "actors/runtime.hpp"
#include "actors/transport_server.hpp"
#include "caf/all.hpp"
#include "transport/transport.hpp"

namespace {

using namespace std::chrono_literals;
using namespace micro::actors;
namespace mt = micro::transport;

// What a subscription of this process got.
struct inbox {
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<std::string> bodies;
  subscription_handler handler() {
    return [this](publication& p) {
      std::lock_guard lock{mutex};
      bodies.push_back(p.body);
      changed.notify_all();
      return publish_ack{};
    };
  }
  bool await(std::size_t n) {
    std::unique_lock lock{mutex};
    return changed.wait_for(lock, 10s, [&] { return bodies.size() >= n; });
  }
};

// A registry entry for one subscribing node of `topic`: reached over CAF at `caf_address`, or
// over `transport` at `transport_address` when given.
subscriber_list subscribers(const std::string& topic, const std::string& caf_address, const std::string& transport,
                            const std::string& transport_address) {
  micro::registry::service svc;
  svc.name = "sub";
  micro::registry::node n{"sub-1", caf_address, {{subscription_key(topic), plain_subscriber}}};
  if (!transport.empty()) {
    n.meta[transport_metadata_key] = transport;
    n.meta[transport_address_metadata_key] = transport_address;
  }
  svc.nodes.push_back(n);
  return std::make_shared<const std::vector<micro::registry::service>>(std::vector<micro::registry::service>{svc});
}

publish_ack publish_one(caf::actor_system& sys, const caf::actor& broker, const std::string& topic,
                        subscriber_list subs, const std::string& body) {
  publish_order order;
  order.pub.topic = topic;
  order.pub.content_type = "text/plain";
  order.pub.body = body;
  order.subscribers = std::move(subs);
  order.timeout = 3s;
  publish_ack out{-1, "no answer", {}};
  caf::scoped_actor self{sys};
  self->request(broker, 10s, publish_atom::value, std::move(order))
    .receive([&](publish_ack& ack) { out = std::move(ack); },
             [&](caf::error& err) { out = publish_ack{-2, sys.render(err), {}}; });
  return out;
}

struct carriers_seen {
  uint64_t sent_transport, sent_caf, received_transport, received_caf;
  static carriers_seen now() {
    auto& c = publication_carriers();
    return {c.sent_transport.load(), c.sent_caf.load(), c.received_transport.load(), c.received_caf.load()};
  }
};

// A node on the memory transport that is not a micro server: `on_frame` decides what it does
// with each frame; its hello says `flags`.
struct fake_node {
  std::shared_ptr<mt::transport> t;
  std::unique_ptr<mt::listener> listener;
  std::mutex mutex;
  std::vector<mt::frame_kind> kinds;  // every frame it got
  fake_node(uint16_t flags, std::function<void(const mt::connection_ptr&, mt::frame&)> on_frame) {
    mt::transport_options opts;
    opts.hello_flags = flags;
    t = mt::make_transport("memory", opts).value;
    mt::connection_handlers h;
    h.on_frame = [this, on_frame](const mt::connection_ptr& c, mt::frame&& f) {
      {
        std::lock_guard lock{mutex};
        kinds.push_back(f.kind);
      }
      on_frame(c, f);
    };
    auto l = t->listen("", h);
    REQUIRE(l.ok());
    listener = std::move(l.value);
  }
  std::size_t count(mt::frame_kind k) {
    std::lock_guard lock{mutex};
    return static_cast<std::size_t>(std::count(kinds.begin(), kinds.end(), k));
  }
};

void send_ack(const mt::connection_ptr& c, uint64_t id, const publish_ack& ack) {
  mt::frame f{mt::frame_kind::publish_ack, 0, id, {}};
  encode_publish_ack(ack, f.body);
  c->send(std::move(f));
}

// Stops the test's actors and subscriptions (their subscriber actors) however the test ends:
// the actor system waits for every actor.
struct stopping {
  explicit stopping(caf::actor_system& s) : sys{s} {}
  stopping(const stopping&) = delete;
  stopping& operator=(const stopping&) = delete;
  caf::actor_system& sys;
  std::vector<caf::actor> actors;
  std::vector<std::pair<caf::actor, uint64_t>> subscriptions;
  void subscribe(const caf::actor& broker, const subscription_spec& spec) {
    caf::scoped_actor self{sys};
    self->request(broker, 5s, subscribe_sub_atom::value, spec)
      .receive([&](uint64_t id) { subscriptions.emplace_back(broker, id); }, [](caf::error&) { FAIL("subscribe"); });
  }
  ~stopping() {
    caf::scoped_actor self{sys};
    for (auto& [broker, id] : subscriptions)
      self->request(broker, 5s, unsubscribe_sub_atom::value, id).receive([] {}, [](caf::error&) {});
    for (auto& a : actors)
      caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
  }
};

// A CAF port nobody listens on (the fake nodes are never reached over CAF unless they say so).
const std::string nowhere = "127.0.0.1:1";

}  // namespace

TEST_CASE("a batch rides the memory transport to another node's broker and its ack comes back", "[carrier][memory]") {
  runtime rt{runtime_config{}};
  auto& sys = rt.system();
  // The subscribing node: its broker, one subscription, its transport server.
  stopping stop{sys};
  auto broker_b = spawn_broker_actor(sys, rt.client_actor());
  stop.actors.push_back(broker_b);
  inbox got;
  subscription_spec spec;
  spec.topic = "memory.topic";
  spec.handler = got.handler();
  stop.subscribe(broker_b, spec);
  auto server = transport_server::start(sys, "memory", "", {});
  REQUIRE(server.ok());
  server.value->set_broker(broker_b);
  // The publishing node: its broker sends on the direct path's connections.
  auto broker_a = spawn_broker_actor(sys, rt.client_actor(), {}, rt.direct()->transports());
  stop.actors.push_back(broker_a);

  const auto before = carriers_seen::now();
  auto subs = subscribers(spec.topic, nowhere, "memory", server.value->address());
  auto ack = publish_one(sys, broker_a, spec.topic, subs, "first");
  INFO(ack.detail);
  CHECK(ack.code == 0);
  REQUIRE(got.await(1));
  CHECK(got.bodies == std::vector<std::string>{"first"});
  auto after = carriers_seen::now();
  CHECK(after.sent_transport == before.sent_transport + 1);
  CHECK(after.received_transport == before.received_transport + 1);
  CHECK(after.sent_caf == before.sent_caf);
  CHECK(after.received_caf == before.received_caf);
  // The connection stays for the next one.
  CHECK(publish_one(sys, broker_a, spec.topic, subs, "second").code == 0);
  REQUIRE(got.await(2));

  // A node whose transport server has no broker answers 503, saying so.
  auto lonely = transport_server::start(sys, "memory", "", {});
  REQUIRE(lonely.ok());
  auto refused = publish_one(sys, broker_a, "lonely.topic", subscribers("lonely.topic", "127.0.0.1:2", "memory",
                                                                        lonely.value->address()),
                             "x");
  CHECK(refused.code == 503);
  CHECK(refused.detail.find("this node has no broker") != std::string::npos);
}

TEST_CASE("an ack nobody waits for is dropped, and a connection lost with a batch in flight fails it as a node down",
          "[carrier][memory]") {
  runtime rt{runtime_config{}};
  auto& sys = rt.system();
  stopping stop{sys};
  auto broker = spawn_broker_actor(sys, rt.client_actor(), {}, rt.direct()->transports());
  stop.actors.push_back(broker);
  // Answers every batch twice, with an ack for a batch never sent before the real one.
  fake_node stray{mt::hello_takes_publications, [](const mt::connection_ptr& c, mt::frame& f) {
                    if (f.kind != mt::frame_kind::publication)
                      return;
                    send_ack(c, f.id + 1000, publish_ack{500, "for nobody", {}});
                    send_ack(c, f.id, publish_ack{});
                    send_ack(c, f.id, publish_ack{500, "a second answer", {}});
                  }};
  auto to_stray = subscribers("stray", nowhere, "memory", stray.listener->address());
  for (int i = 0; i < 3; ++i) {
    auto ack = publish_one(sys, broker, "stray", to_stray, "x");
    INFO(ack.detail);
    CHECK(ack.code == 0);
  }
  CHECK(stray.count(mt::frame_kind::publication) == 3);

  // Closes the connection on a batch instead of answering.
  fake_node dying{mt::hello_takes_publications, [](const mt::connection_ptr& c, mt::frame& f) {
                    if (f.kind == mt::frame_kind::publication)
                      c->close(mt::status::error(mt::errc::closed, "gone"));
                  }};
  auto to_dying = subscribers("dying", "127.0.0.1:3", "memory", dying.listener->address());
  auto lost = publish_one(sys, broker, "dying", to_dying, "x");
  INFO(lost.detail);
  CHECK(lost.code == 503);
  CHECK(lost.detail.find("went down") != std::string::npos);
  CHECK(lost.detail.find("127.0.0.1:3") != std::string::npos);
  // Known down from then on: failed at once, naming it, until a probe connects again.
  auto next = publish_one(sys, broker, "dying", to_dying, "y");
  CHECK(next.code == 503);
}

TEST_CASE("a node whose hello does not say it takes publications (or whose transport cannot be reached) gets its "
          "batches over CAF",
          "[carrier][memory][compat]") {
  runtime rt{runtime_config{}};
  auto& sys = rt.system();
  // The subscribing node as an older micro serves it: calls on its transport (whose hello says
  // nothing of publications, and which would close a connection that carried one), publications
  // through its node actor on CAF's port.
  fake_node old{0, [](const mt::connection_ptr& c, mt::frame& f) {
                  if (f.kind == mt::frame_kind::publication)
                    c->close(mt::status::error(mt::errc::bad_frame, "a node takes requests and streams only"));
                }};
  stopping stop{sys};
  auto broker_b = spawn_broker_actor(sys, rt.client_actor());
  stop.actors.push_back(broker_b);
  inbox got;
  subscription_spec spec;
  spec.topic = "old.topic";
  spec.handler = got.handler();
  stop.subscribe(broker_b, spec);
  auto node = spawn_node_actor(sys, broker_b);
  stop.actors.push_back(node);
  auto published = publish_node(sys, node, "127.0.0.1", 0);
  REQUIRE(published.ok());
  auto broker_a = spawn_broker_actor(sys, rt.client_actor(), {}, rt.direct()->transports());
  stop.actors.push_back(broker_a);

  const auto before = carriers_seen::now();
  auto subs = subscribers(spec.topic, "127.0.0.1:" + std::to_string(published.port), "memory",
                          old.listener->address());
  auto ack = publish_one(sys, broker_a, spec.topic, subs, "over caf");
  INFO(ack.detail);
  CHECK(ack.code == 0);
  REQUIRE(got.await(1));
  CHECK(old.count(mt::frame_kind::publication) == 0);
  auto after = carriers_seen::now();
  CHECK(after.sent_caf == before.sent_caf + 1);
  CHECK(after.sent_transport == before.sent_transport);

  // A node whose transport cannot be reached where the registry says (restarted on its address,
  // on a new transport port the registry does not show yet) is reached on its CAF port.
  auto broker_c = spawn_broker_actor(sys, rt.client_actor(), {}, rt.direct()->transports());
  stop.actors.push_back(broker_c);
  auto stale = subscribers(spec.topic, "127.0.0.1:" + std::to_string(published.port), "memory", "nobody-listens-here");
  auto over_caf = publish_one(sys, broker_c, spec.topic, stale, "stale route");
  INFO(over_caf.detail);
  CHECK(over_caf.code == 0);
  REQUIRE(got.await(2));
  CHECK(carriers_seen::now().sent_caf == before.sent_caf + 2);
  unpublish_node(sys, node);
}
