// micro::context: deadline, remaining time, expiry and metadata.
#include <catch2/catch.hpp>

#include "micro/context.hpp"

using namespace std::chrono_literals;
using clock_type = micro::context::clock;

TEST_CASE("a default context has no deadline", "[context]") {
  micro::context ctx;
  CHECK_FALSE(ctx.has_deadline());
  CHECK(ctx.deadline() == clock_type::time_point::max());
  CHECK_FALSE(ctx.expired());
  CHECK(ctx.remaining() == std::chrono::nanoseconds::max());
  CHECK(ctx.service().empty());
  CHECK(ctx.endpoint().empty());
  CHECK(ctx.metadata().empty());
}

TEST_CASE("a context with a future deadline has time left", "[context]") {
  auto deadline = clock_type::now() + 10s;
  micro::context ctx{"greeter", "Greeter.Hello", {}, deadline};
  CHECK(ctx.service() == "greeter");
  CHECK(ctx.endpoint() == "Greeter.Hello");
  CHECK(ctx.has_deadline());
  CHECK(ctx.deadline() == deadline);
  CHECK_FALSE(ctx.expired());
  auto left = ctx.remaining();
  CHECK(left > 5s);  // generous: a loaded machine may pause us
  CHECK(left <= 10s);
  // remaining() counts down
  auto later = ctx.remaining();
  CHECK(later <= left);
}

TEST_CASE("a context past its deadline is expired with nothing left", "[context]") {
  micro::context ctx{"svc", "E.P", {}, clock_type::now() - 1ms};
  CHECK(ctx.has_deadline());
  CHECK(ctx.expired());
  CHECK(ctx.remaining() == std::chrono::nanoseconds::zero());
}

TEST_CASE("a context expires when its deadline passes", "[context]") {
  micro::context ctx{"svc", "E.P", {}, clock_type::now() + 20ms};
  CHECK(ctx.remaining() > 0ns);
  auto give_up = clock_type::now() + 5s;
  while (!ctx.expired() && clock_type::now() < give_up) {
  }
  CHECK(ctx.expired());
  CHECK(ctx.remaining() == 0ns);
}

TEST_CASE("context metadata get", "[context]") {
  micro::context ctx{"svc", "E.P", {{"trace-id", "abc123"}, {"empty", ""}}, clock_type::time_point::max()};
  CHECK_FALSE(ctx.has_deadline());
  REQUIRE(ctx.get("trace-id").has_value());
  CHECK(*ctx.get("trace-id") == "abc123");
  REQUIRE(ctx.get("empty").has_value());  // present but empty is not missing
  CHECK(ctx.get("empty")->empty());
  CHECK_FALSE(ctx.get("missing").has_value());
  CHECK_FALSE(ctx.get("Trace-Id").has_value());  // keys are exact

  ctx.metadata()["user"] = "ada";
  REQUIRE(ctx.get("user").has_value());
  CHECK(*ctx.get("user") == "ada");
  CHECK(ctx.metadata().size() == 3);
}
