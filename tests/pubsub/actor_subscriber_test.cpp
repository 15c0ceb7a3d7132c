// An actor as a subscriber (micro/actor_api.hpp: subscribe_with_actor): it receives each
// publication as an actors::publication message, in order, and decodes it itself. The only TU
// of these tests with CAF in it.
#include <catch2/catch.hpp>

#include "micro/actor_api.hpp"
#include "micro/micro.hpp"
#include "pubsub_helpers.hpp"

using namespace micro;
using namespace micro::test;

TEST_CASE("an actor subscriber receives publication messages", "[pubsub][local][actor_api]") {
  options opts;
  REQUIRE(apply_environment(opts));
  opts.with_name(unique_name("actor-sub-svc"))
    .with_registry("memory", unique_name("pubsub-actor"))
    .with_server_address("127.0.0.1:0");
  const auto topic = unique_name("actor-sub");
  service svc{opts};
  auto& sys = svc.client().internals().rt->system();

  // The subscriber forwards what it gets to the test's scoped actor.
  caf::scoped_actor waiter{sys};
  caf::actor me = waiter;
  auto forwarder = sys.spawn([me](caf::event_based_actor* self) -> caf::behavior {
    return {[self, me](actors::publication& p) { self->send(me, std::move(p)); }};
  });
  subscribe_with_actor(svc.server(), topic, forwarder);
  REQUIRE(svc.start().ok());

  constexpr uint64_t n = 20;
  for (uint64_t i = 1; i <= n; ++i)
    REQUIRE(svc.client().publish(topic, tick(i), publish_options{}.with_metadata("n", std::to_string(i))).ok());

  std::vector<actors::publication> got;
  bool timed_out = false;
  while (got.size() < n && !timed_out)
    waiter->receive([&](actors::publication& p) { got.push_back(std::move(p)); },
                    caf::after(std::chrono::seconds{10}) >> [&] { timed_out = true; });
  REQUIRE(got.size() == n);
  for (uint64_t i = 1; i <= n; ++i) {
    auto& p = got[i - 1];
    INFO("publication " << i);
    CHECK(p.topic == topic);
    CHECK(p.content_type == "application/protobuf");
    CHECK(p.metadata.at("n") == std::to_string(i));
    auto t = decode_publication<pubsubtest::Tick>(p);
    REQUIRE(t);
    CHECK(t->seq() == i);
  }

  // A body it cannot decode is a 400 from decode_publication, not a crash.
  auto bad = got.front();
  bad.content_type = "text/x-nonsense";
  auto t = decode_publication<pubsubtest::Tick>(bad);
  REQUIRE_FALSE(t);
  CHECK(t.error().code == 400);

  REQUIRE(svc.stop().ok());
  caf::anon_send_exit(forwarder, caf::exit_reason::user_shutdown);
}
