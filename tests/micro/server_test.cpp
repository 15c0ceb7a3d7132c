// micro::server without a running service: handler wrappers composed by wrap_handler (order,
// short-circuit, response changes, exceptions), server::wrap's checks, and what
// endpoint_options advertise. No processes, no actors.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <stdexcept>
#include <string>
#include <vector>

#include "micro/micro.hpp"
#include "micro/selector.hpp"

using Catch::Matchers::Contains;

namespace {

using trail = std::vector<std::string>;

// Records "in:<name>" before calling on and "out:<name>" after, and tags the response.
micro::handler_wrapper recording(std::string name, trail& events) {
  return [name, &events](micro::raw_handler next) -> micro::raw_handler {
    return [name, &events, next](const micro::context& ctx, const micro::raw_message& in)
               -> micro::result<micro::raw_message> {
      events.push_back("in:" + name);
      auto out = next(ctx, in);
      events.push_back("out:" + name);
      if (out)
        out->metadata["tags"] += (out->metadata["tags"].empty() ? "" : ",") + name;
      return out;
    };
  };
}

micro::raw_handler echo_handler(trail& events) {
  return [&events](const micro::context& ctx, const micro::raw_message& in) -> micro::result<micro::raw_message> {
    events.push_back("handler:" + ctx.endpoint());
    micro::raw_message out;
    out.content_type = in.content_type;
    out.body = in.body;
    return out;
  };
}

micro::context ctx_for(const std::string& endpoint, micro::metadata md = {}) {
  return micro::context{"svc", endpoint, std::move(md), micro::context::clock::time_point::max()};
}

micro::raw_message request(std::string body) {
  micro::raw_message m;
  m.content_type = "application/json";
  m.body = std::move(body);
  return m;
}

}  // namespace

TEST_CASE("no wrappers: the handler itself", "[server][wrap]") {
  trail events;
  auto h = micro::wrap_handler(echo_handler(events), {});
  auto out = h(ctx_for("A.B"), request("1"));
  REQUIRE(out.ok());
  CHECK(out->body == "1");
  CHECK(events == trail{"handler:A.B"});
}

TEST_CASE("the first wrapper added is the outermost", "[server][wrap]") {
  trail events;
  auto h = micro::wrap_handler(echo_handler(events),
                               {recording("first", events), recording("second", events), recording("third", events)});
  auto out = h(ctx_for("A.B"), request("{}"));
  REQUIRE(out.ok());
  CHECK(events == trail{"in:first", "in:second", "in:third", "handler:A.B", "out:third", "out:second", "out:first"});
  // Each wrapper changed the response on the way out: innermost first.
  CHECK(out->metadata.at("tags") == "third,second,first");
  CHECK(out->body == "{}");
}

TEST_CASE("a wrapper short-circuits: inner wrappers and the handler do not run", "[server][wrap]") {
  trail events;
  micro::handler_wrapper deny = [&events](micro::raw_handler next) -> micro::raw_handler {
    return [&events, next](const micro::context& ctx, const micro::raw_message& in) -> micro::result<micro::raw_message> {
      if (!ctx.get("authorization")) {
        events.push_back("denied");
        return micro::errors::unauthorized("auth", "no authorization header");
      }
      return next(ctx, in);
    };
  };
  auto h = micro::wrap_handler(echo_handler(events), {recording("outer", events), deny, recording("inner", events)});

  auto denied = h(ctx_for("A.B"), request("{}"));
  REQUIRE_FALSE(denied.ok());
  CHECK(denied.error().code == 401);
  CHECK(denied.error().id == "auth");
  CHECK(events == trail{"in:outer", "denied", "out:outer"});

  events.clear();
  auto allowed = h(ctx_for("A.B", {{"authorization", "Bearer x"}}), request("{}"));
  REQUIRE(allowed.ok());
  CHECK(events == trail{"in:outer", "in:inner", "handler:A.B", "out:inner", "out:outer"});
}

TEST_CASE("a wrapper can change the context the inner handler sees", "[server][wrap]") {
  micro::handler_wrapper add_user = [](micro::raw_handler next) -> micro::raw_handler {
    return [next](const micro::context& ctx, const micro::raw_message& in) -> micro::result<micro::raw_message> {
      micro::context inner = ctx;
      inner.metadata()["user"] = "ann";
      return next(inner, in);
    };
  };
  micro::raw_handler who = [](const micro::context& ctx, const micro::raw_message&) -> micro::result<micro::raw_message> {
    micro::raw_message out;
    out.body = ctx.get("user").value_or("nobody") + "@" + ctx.endpoint();
    return out;
  };
  auto out = micro::wrap_handler(who, {add_user})(ctx_for("A.B"), request(""));
  REQUIRE(out.ok());
  CHECK(out->body == "ann@A.B");
}

TEST_CASE("exceptions of inner handlers pass through wrappers that can see them", "[server][wrap]") {
  trail events;
  micro::handler_wrapper watch = [&events](micro::raw_handler next) -> micro::raw_handler {
    return [&events, next](const micro::context& ctx, const micro::raw_message& in) -> micro::result<micro::raw_message> {
      try {
        return next(ctx, in);
      } catch (const micro::error& e) {
        events.push_back("saw error " + std::to_string(e.code));
        throw;
      } catch (const std::exception& e) {
        events.push_back(std::string{"saw "} + e.what());
        throw;
      }
    };
  };
  micro::raw_handler boom = [](const micro::context&, const micro::raw_message&) -> micro::result<micro::raw_message> {
    throw std::runtime_error("boom");
  };
  micro::raw_handler conflict = [](const micro::context&, const micro::raw_message&) -> micro::result<micro::raw_message> {
    throw micro::errors::conflict("h", "exists");
  };
  CHECK_THROWS_WITH(micro::wrap_handler(boom, {watch})(ctx_for("A.B"), request("")), "boom");
  CHECK_THROWS_AS(micro::wrap_handler(conflict, {watch})(ctx_for("A.B"), request("")), micro::error);
  CHECK(events == trail{"saw boom", "saw error 409"});
}

TEST_CASE("a wrapper that returns no handler makes the endpoint answer 500", "[server][wrap]") {
  trail events;
  micro::handler_wrapper broken = [](micro::raw_handler) -> micro::raw_handler { return {}; };
  auto h = micro::wrap_handler(echo_handler(events), {recording("ok", events), broken});
  auto out = h(ctx_for("A.B"), request(""));
  REQUIRE_FALSE(out.ok());
  CHECK(out.error().code == 500);
  CHECK_THAT(out.error().detail, Contains("wrapper #2"));
  CHECK(events == trail{"in:ok", "out:ok"});
}

TEST_CASE("server::wrap refuses an empty wrapper with a 400", "[server][wrap]") {
  micro::server srv;
  try {
    srv.wrap(micro::handler_wrapper{});
    FAIL("no error");
  } catch (const micro::error& e) {
    CHECK(e.code == 400);
    CHECK(e.id == "micro.server");
  }
}

TEST_CASE("idempotent endpoints are advertised in their endpoint metadata", "[server][idempotent]") {
  micro::server srv;
  srv.handle("A.Read", [](const micro::context&, const nlohmann::json&, nlohmann::json&) {},
             micro::endpoint_options{}.with_idempotent());
  srv.handle("A.Write", [](const micro::context&, const nlohmann::json&, nlohmann::json&) {});
  micro::registry::endpoint raw_info{"A.Raw", "", "", {{"stream", "true"}}};
  srv.handle_raw(raw_info,
                 [](const micro::context&, const micro::raw_message& in) -> micro::result<micro::raw_message> { return in; },
                 micro::endpoint_options{}.with_idempotent());
  auto eps = srv.endpoints();
  REQUIRE(eps.size() == 3);
  CHECK(eps[0].name == "A.Raw");
  CHECK(eps[0].meta == micro::metadata{{"stream", "true"}, {micro::idempotent_key, "true"}});
  CHECK(eps[1].name == "A.Read");
  CHECK(eps[1].meta == micro::metadata{{micro::idempotent_key, "true"}});
  CHECK(eps[2].name == "A.Write");
  CHECK(eps[2].meta.empty());
  CHECK(std::string{micro::idempotent_key} == "idempotent");
}
