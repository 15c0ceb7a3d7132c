// A service whose endpoint is a user's actor, called over loopback by a user's actor through
// micro::call_async, in one process (the middleman still carries the calls over TCP).
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "micro/actor_api.hpp"
#include "micro/micro.hpp"

namespace {

using json = nlohmann::json;
using result_atom = caf::atom_constant<caf::atom("t_result")>;

// Answers {"n": N} with {"doubled": 2N}; rejects a negative N with a 400 of its own.
caf::behavior doubler() {
  return {[](micro::actors::request& req) -> micro::actors::response {
    auto in = micro::decode_request<json>(req);
    if (!in)
      return micro::actors::make_error_response(in.error().code, in.error().id, in.error().detail);
    auto n = in->value("n", 0);
    if (n < 0)
      return micro::actors::make_error_response(400, "doubler", "n must not be negative");
    return micro::make_response(req, json{{"doubled", 2 * n}});
  }};
}

micro::options test_options(const std::string& registry_instance) {
  micro::options opts;
  opts.name = "doubler";
  opts.server_address = "127.0.0.1:0";
  opts.registry = "memory";
  opts.registry_address = registry_instance;  // a registry of this test's own
  return opts;
}

}  // namespace

TEST_CASE("an endpoint served by an actor answers calls from an actor") {
  auto opts = test_options("actor_api_ok");
  micro::service svc{opts};
  micro::client client{opts};
  auto& sys = client.internals().rt->system();
  micro::handle_with_actor(svc.server(), micro::registry::endpoint{"Math.Double", "json", "json", {}},
                           sys.spawn(doubler));
  REQUIRE(svc.start().ok());

  caf::scoped_actor waiter{sys};
  caf::actor me = waiter;
  sys.spawn([&client, me](caf::event_based_actor* self) {
    micro::call_async<json>(self, client, micro::context{}, "doubler", "Math.Double", json{{"n", 21}},
                            [self, me](micro::result<json> r) {
                              self->send(me, result_atom::value, r ? r->dump() : r.error().to_json());
                            });
  });
  std::string got;
  waiter->receive([&](result_atom, std::string& s) { got = s; });
  CHECK(got == R"({"doubled":42})");

  // The blocking API reaches the same actor endpoint; its coded error comes through unchanged.
  auto rejected = client.call<json>("doubler", "Math.Double", json{{"n", -1}});
  REQUIRE_FALSE(rejected.ok());
  CHECK(rejected.error().code == 400);
  CHECK(rejected.error().detail == "n must not be negative");
  CHECK(svc.stop().ok());
}

TEST_CASE("call_async reports a coded error when no node serves the service") {
  auto opts = test_options("actor_api_missing");
  micro::client client{opts};
  auto& sys = client.internals().rt->system();
  caf::scoped_actor waiter{sys};
  caf::actor me = waiter;
  sys.spawn([&client, me](caf::event_based_actor* self) {
    micro::call_async<json>(self, client, micro::context{}, "nobody", "X.Y", json::object(),
                            [self, me](micro::result<json> r) {
                              self->send(me, result_atom::value, r ? std::string{"ok"} : r.error().to_json());
                            });
  });
  std::string got;
  waiter->receive([&](result_atom, std::string& s) { got = s; });
  auto err = micro::error::from_json(got);
  REQUIRE(err.has_value());
  CHECK(err->code == 404);
}
