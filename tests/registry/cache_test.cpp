// registry::cache: hits kept current by events, misses remembered briefly, staleness.
#include <catch2/catch.hpp>
#include <thread>

#include "helpers.hpp"
#include "registry/cache.hpp"

using namespace micro::registry;
using namespace micro::registry::test;
using namespace std::chrono_literals;

namespace {

event make_event(event_type type, service svc) { return event{type, std::move(svc), {}}; }

result<std::vector<service>> found(std::vector<service> versions) { return {{}, std::move(versions)}; }

result<std::vector<service>> not_found() { return {make_error(errc::not_found, "memory", "service \"missing\" not found"), {}}; }

}  // namespace

TEST_CASE("cache: an unknown name is not an answer", "[cache]") {
  cache c{"memory"};
  CHECK_FALSE(c.lookup("greeter").has_value());
  CHECK_FALSE(c.stale("greeter").has_value());
}

TEST_CASE("cache: a stored hit answers until an event changes it", "[cache]") {
  cache c{"memory"};
  c.store("greeter", found({make_service("greeter", "1", {make_node("a")})}));
  auto hit = c.lookup("greeter");
  REQUIRE(hit);
  REQUIRE(hit->ok());
  REQUIRE(hit->value.size() == 1);
  CHECK(hit->value[0].nodes.at(0).id == "a");

  c.apply(make_event(event_type::update, make_service("greeter", "1", {make_node("a"), make_node("b")})));
  hit = c.lookup("greeter");
  REQUIRE(hit);
  CHECK(hit->value.at(0).nodes.size() == 2);

  c.apply(make_event(event_type::create, make_service("greeter", "2", {make_node("c")})));
  hit = c.lookup("greeter");
  REQUIRE(hit);
  REQUIRE(hit->value.size() == 2);
  CHECK(hit->value[1].version == "2");

  c.apply(make_event(event_type::remove, make_service("greeter", "1", {})));
  hit = c.lookup("greeter");
  REQUIRE(hit);
  REQUIRE(hit->value.size() == 1);
  CHECK(hit->value[0].version == "2");
}

TEST_CASE("cache: the last version removed becomes a remembered miss", "[cache]") {
  cache c{"memory", 10s};
  c.store("greeter", found({make_service("greeter", "1", {make_node("a")})}));
  c.apply(make_event(event_type::remove, make_service("greeter", "1", {make_node("a")})));
  auto answer = c.lookup("greeter");
  REQUIRE(answer);
  CHECK(answer->st.code == errc::not_found);
  CHECK(answer->st.message.find("registry memory") != std::string::npos);
  CHECK(answer->st.message.find("greeter") != std::string::npos);
}

TEST_CASE("cache: a miss is remembered for its TTL only", "[cache]") {
  cache c{"memory", 50ms};
  c.store("missing", not_found());
  auto answer = c.lookup("missing");
  REQUIRE(answer);
  CHECK(answer->st.code == errc::not_found);
  CHECK(answer->st.message.find("missing") != std::string::npos);
  std::this_thread::sleep_for(60ms);  // the TTL itself is what is under test
  CHECK_FALSE(c.lookup("missing").has_value());
}

TEST_CASE("cache: a create event ends a miss at once", "[cache]") {
  cache c{"memory", 10s};
  c.store("late", not_found());
  c.apply(make_event(event_type::create, make_service("late", "1", {make_node("a")})));
  auto hit = c.lookup("late");
  REQUIRE(hit);
  REQUIRE(hit->ok());
  CHECK(hit->value.at(0).nodes.at(0).id == "a");
}

TEST_CASE("cache: events about names nobody asked for are ignored", "[cache]") {
  cache c{"memory"};
  c.apply(make_event(event_type::create, make_service("other", "1", {make_node("a")})));
  CHECK_FALSE(c.lookup("other").has_value());
  CHECK(c.cached_names().empty());
}

TEST_CASE("cache: backend errors other than not_found are not cached", "[cache]") {
  cache c{"memory"};
  c.store("greeter", {make_error(errc::unavailable, "mdns", "daemon gone"), {}});
  CHECK_FALSE(c.lookup("greeter").has_value());
}

TEST_CASE("cache: stale entries are refetched but still served as stale", "[cache]") {
  cache c{"memory"};
  c.store("greeter", found({make_service("greeter", "1", {make_node("a")})}));
  CHECK(c.cached_names() == std::vector<std::string>{"greeter"});
  c.mark_all_stale();
  CHECK_FALSE(c.lookup("greeter").has_value());
  auto known = c.stale("greeter");
  REQUIRE(known);
  CHECK(known->at(0).nodes.at(0).id == "a");
  CHECK(c.cached_names().empty());
  c.store("greeter", found({make_service("greeter", "1", {make_node("b")})}));
  auto hit = c.lookup("greeter");
  REQUIRE(hit);
  CHECK(hit->value.at(0).nodes.at(0).id == "b");
}

TEST_CASE("cache: events the stored answer already reflects are skipped", "[cache][revision]") {
  cache c{"memory", 10s};
  auto numbered = [](event_type type, service svc, std::uint64_t revision) {
    event ev{type, std::move(svc), {}};
    ev.revision = revision;
    return ev;
  };
  // The answer was read after event 5: events 1..5 are older than it.
  c.store("greeter", found({make_service("greeter", "1", {make_node("a"), make_node("b")})}), 5);
  c.apply(numbered(event_type::create, make_service("greeter", "1", {make_node("a")}), 4));
  c.apply(numbered(event_type::remove, make_service("greeter", "1", {make_node("a"), make_node("b")}), 5));
  auto hit = c.lookup("greeter");
  REQUIRE(hit);
  REQUIRE(hit->ok());
  CHECK(hit->value.at(0).nodes.size() == 2);

  // Newer ones apply, and then an older one is skipped too.
  c.apply(numbered(event_type::update, make_service("greeter", "1", {make_node("b")}), 7));
  c.apply(numbered(event_type::update, make_service("greeter", "1", {make_node("a"), make_node("b")}), 6));
  hit = c.lookup("greeter");
  REQUIRE(hit);
  CHECK(hit->value.at(0).nodes == std::vector<node>{make_node("b")});

  // A miss read after event 9 ignores a create from before it, not one from after.
  c.store("gone", not_found(), 9);
  c.apply(numbered(event_type::create, make_service("gone", "1", {make_node("x")}), 8));
  auto miss = c.lookup("gone");
  REQUIRE(miss);
  CHECK(miss->st.code == errc::not_found);
  c.apply(numbered(event_type::create, make_service("gone", "1", {make_node("x")}), 10));
  auto back = c.lookup("gone");
  REQUIRE(back);
  CHECK(back->ok());

  // Unnumbered events (revision 0, from a backend that does not count) always apply.
  c.apply(make_event(event_type::update, make_service("greeter", "1", {make_node("c")})));
  hit = c.lookup("greeter");
  REQUIRE(hit);
  CHECK(hit->value.at(0).nodes == std::vector<node>{make_node("c")});
}
