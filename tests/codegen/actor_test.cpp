// The generated actor API (shapes.micro.actor.h), in one process: an actor serving Shapes'
// unary rpcs with typed messages, reached by the generated blocking client and by the generated
// asynchronous client from inside another actor, which also opens a typed stream. The only test
// TU here with CAF.
#include <catch2/catch.hpp>

#include "acme/micro/v1/shapes.micro.actor.h"
#include "micro/micro.hpp"
#include "shapes_impl.hpp"

namespace v1 = acme::micro::v1;

namespace {

using result_atom = caf::atom_constant<caf::atom("t_result")>;

v1::Number number(int64_t v) {
  v1::Number n;
  n.set_value(v);
  return n;
}

// Serves Shapes' unary rpcs; Fail answers with the code it is given.
caf::behavior shapes_actor() {
  return {
    [](v1::ShapesRpc::Double, const micro::context&, const v1::Number& req) -> micro::result<v1::Number> {
      if (req.value() < 0)
        return micro::errors::bad_request("shapes-actor", "no negative numbers");
      return number(2 * req.value());
    },
    [](v1::ShapesRpc::call, const micro::context& ctx, const v1::Client& req) -> micro::result<v1::Client> {
      v1::Client out;
      out.set_name("actor called " + req.name() + " on " + ctx.endpoint());
      return out;
    },
    [](v1::ShapesRpc::Fail, const micro::context&, const v1::Number& req) -> micro::result<google::protobuf::Empty> {
      return micro::make_error("shapes-actor", static_cast<int32_t>(req.value()), "failed as asked");
    },
  };
}

micro::options test_options() {
  return micro::options{}
    .with_name("shapes-actor")
    .with_registry("memory", "codegen_actor_test")  // a registry of this test's own
    .with_server_address("127.0.0.1:0");
}

}  // namespace

TEST_CASE("an actor serves generated unary rpcs with typed messages", "[codegen][actor]") {
  micro::service svc{test_options()};
  micro::client client{test_options()};
  auto& sys = client.internals().rt->system();
  // Functions serve the streaming rpcs; the actor, registered after them, takes the unary ones.
  codegen_test::shapes_impl functions;
  v1::RegisterShapesHandler(svc.server(), functions);
  auto impl = sys.spawn(shapes_actor);
  v1::RegisterShapesActorHandler(svc.server(), impl);
  REQUIRE(svc.start().ok());

  v1::ShapesClient shapes{client, "shapes-actor"};
  auto doubled = shapes.Double(number(21));
  REQUIRE(doubled.ok());
  CHECK(doubled->value() == 42);

  auto refused = shapes.Double(number(-1));  // the actor's own micro::error comes through
  REQUIRE(!refused.ok());
  CHECK(refused.error().code == 400);
  CHECK(refused.error().detail == "no negative numbers");

  auto failed = shapes.Fail(number(409));
  REQUIRE(!failed.ok());
  CHECK(failed.error().code == 409);

  v1::Client who;
  who.set_name("me");
  auto called = shapes.call(who, micro::call_options{}.with_content_type("application/json"));
  REQUIRE(called.ok());
  CHECK(called->name() == "actor called me on Shapes.call");

  // Advertised with the request and response types, like a function handler.
  auto eps = svc.server().endpoints();
  auto dbl = std::find_if(eps.begin(), eps.end(), [](const micro::registry::endpoint& e) { return e.name == "Shapes.Double"; });
  REQUIRE(dbl != eps.end());
  CHECK(dbl->request == "acme.micro.v1.Number");

  // From inside an actor: the generated asynchronous client never blocks it.
  caf::scoped_actor waiter{sys};
  caf::actor me = waiter;
  sys.spawn([&client, me](caf::event_based_actor* self) {
    v1::ShapesAsyncClient async{self, client, "shapes-actor"};
    async.Double(number(5), [self, me](micro::result<v1::Number> r) {
      self->send(me, result_atom::value, r ? std::to_string(r->value()) : r.error().to_json());
    });
  });
  std::string got;
  waiter->receive([&](result_atom, std::string& s) { got = s; });
  CHECK(got == "10");

  // A stream from inside an actor, opened with the rpc's message types: Echo answers each text.
  sys.spawn([&client, me](caf::event_based_actor* self) -> caf::behavior {
    v1::ShapesAsyncClient async{self, client, "shapes-actor"};
    auto s = std::make_shared<micro::async_stream>(async.Echo());
    auto echoed = std::make_shared<std::string>();
    return {[self, me, s, echoed](const micro::stream_event& ev) {
      switch (ev.what) {
        case micro::stream_event::kind::opened: {
          v1::Outer_Inner text;
          text.set_text("ping");
          if (!s->try_send_message(text))
            *echoed += "[refused]";
          s->close_send();
          break;
        }
        case micro::stream_event::kind::message: {
          auto in = micro::decode_stream_message<v1::Outer_Inner>(*s, ev);
          *echoed += in ? in->text() : in.error().to_json();
          break;
        }
        case micro::stream_event::kind::writable:
          break;
        case micro::stream_event::kind::closed:
          self->send(me, result_atom::value, *echoed + " end " + std::to_string(ev.code));
          self->quit();
          break;
      }
    }};
  });
  waiter->receive([&](result_atom, std::string& s) { got = s; });
  CHECK(got == "ping end 0");
  CHECK(svc.stop().ok());
  // The adapter actors end with the user's actor; the runtime's shutdown then waits for no one.
  caf::anon_send_exit(impl, caf::exit_reason::user_shutdown);
}
