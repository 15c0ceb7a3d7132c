// The registry watcher actor and the client's cache, in one process over the memory backend.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <atomic>
#include <thread>
#include <vector>

#include "actors/registry_watcher.hpp"
#include "caf/all.hpp"
#include "counting_registry.hpp"
#include "gated_registry.hpp"
#include "harness.hpp"
#include "micro/detail/client_impl.hpp"
#include "registry/memory.hpp"

using namespace micro;
using namespace std::chrono_literals;

namespace {

std::string unique(const std::string& base) {
  static int n = 0;
  return base + "-" + std::to_string(::getpid()) + "-" + std::to_string(++n);
}

std::shared_ptr<test::counting_registry> counting_memory(std::chrono::milliseconds delay = 0ms) {
  auto mem = registry::make_registry("memory", unique("watcher-test"));
  REQUIRE(mem.ok());
  return std::make_shared<test::counting_registry>(mem.value, delay);
}

registry::service one_node(const std::string& name, const std::string& id, const std::string& address) {
  return registry::service{name, "1", {}, {}, {registry::node{id, address, {}}}};
}

// Polls `c.resolve(name)` until `pred(result)` holds; bounded. Returns the last result.
template <class Pred>
result<std::vector<std::string>> resolve_until(client& c, const std::string& name, Pred pred,
                                               std::chrono::milliseconds bound = 3s) {
  auto until = std::chrono::steady_clock::now() + bound;
  auto r = c.resolve(name);
  while (!pred(r) && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(5ms);
    r = c.resolve(name);
  }
  return r;
}

}  // namespace

TEST_CASE("watcher: a storm of lookups for a missing service asks the backend once", "[watcher]") {
  auto backend = counting_memory(100ms);
  client c{options{}, backend};
  const auto name = unique("missing");
  std::vector<test::joining_thread> callers;
  std::atomic<int> not_found{0};
  for (int i = 0; i < 32; ++i)
    callers.emplace_back([&] {
      for (int k = 0; k < 20; ++k) {
        auto r = c.resolve(name);
        if (!r && r.error().code == 404)
          ++not_found;
      }
    });
  callers.clear();  // joins
  CHECK(not_found == 32 * 20);
  CHECK(backend->lookups() == 1);
}

TEST_CASE("watcher: a cached service is served without the backend and follows its events", "[watcher]") {
  auto backend = counting_memory();
  client c{options{}, backend};
  const auto name = unique("greeter");
  REQUIRE(backend->register_service(one_node(name, "a", "127.0.0.1:9001")));
  auto first = c.resolve(name);
  REQUIRE(first);
  CHECK(*first == std::vector<std::string>{"127.0.0.1:9001"});
  for (int i = 0; i < 100; ++i)
    REQUIRE(c.resolve(name));
  CHECK(backend->lookups() == 1);

  REQUIRE(backend->register_service(one_node(name, "b", "127.0.0.1:9002")));
  auto both = resolve_until(c, name, [](auto& r) { return r && r->size() == 2; });
  REQUIRE(both);
  CHECK(both->size() == 2);

  REQUIRE(backend->deregister_service(one_node(name, "a", "127.0.0.1:9001")));
  auto one = resolve_until(c, name, [](auto& r) { return r && r->size() == 1; });
  REQUIRE(one);
  CHECK(*one == std::vector<std::string>{"127.0.0.1:9002"});

  REQUIRE(backend->deregister_service(one_node(name, "b", "127.0.0.1:9002")));
  auto gone = resolve_until(c, name, [](auto& r) { return !r; });
  REQUIRE_FALSE(gone);
  CHECK(gone.error().code == 404);
  CHECK(backend->lookups() == 1);  // all of it came from events
}

TEST_CASE("watcher: a remembered miss ends when the service registers", "[watcher]") {
  auto backend = counting_memory();
  client c{options{}, backend};
  const auto name = unique("late");
  auto missing = c.resolve(name);
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code == 404);
  CHECK(missing.error().detail.find(name) != std::string::npos);
  REQUIRE(backend->register_service(one_node(name, "a", "127.0.0.1:9003")));
  auto found = resolve_until(c, name, [](auto& r) { return bool(r); });
  REQUIRE(found);
  CHECK(*found == std::vector<std::string>{"127.0.0.1:9003"});
}

TEST_CASE("watcher: subscribers receive every event", "[watcher]") {
  auto backend = counting_memory();
  client c{options{}, backend};
  auto& internals = c.internals();
  caf::scoped_actor self{internals.rt->system()};
  self->send(internals.watcher, actors::subscribe_atom::value, caf::actor_cast<caf::actor>(self));
  const auto name = unique("subscribed");
  // The subscription is in place once the watcher answered a later message.
  self->request(internals.watcher, caf::infinite, actors::lookup_atom::value, name).receive(
    [](actors::lookup_result&) {}, [](caf::error&) {});
  REQUIRE(backend->register_service(one_node(name, "a", "127.0.0.1:9004")));
  REQUIRE(backend->deregister_service(one_node(name, "a", "127.0.0.1:9004")));
  std::vector<registry::event_type> seen;
  bool timed_out = false;
  while (seen.size() < 2 && !timed_out)
    self->receive([&](actors::registry_event_atom, const registry::event& ev) {
                    if (ev.svc.name == name)
                      seen.push_back(ev.type);
                  },
                  caf::after(std::chrono::seconds(3)) >> [&] { timed_out = true; });
  REQUIRE(seen.size() == 2);
  CHECK(seen[0] == registry::event_type::create);
  CHECK(seen[1] == registry::event_type::remove);
  self->send(internals.watcher, actors::unsubscribe_atom::value, caf::actor_cast<caf::actor>(self));
}

TEST_CASE("watcher: when the backend cannot answer, a stale entry is served", "[watcher]") {
  auto backend = counting_memory();
  client c{options{}, backend};
  const auto name = unique("stale");
  REQUIRE(backend->register_service(one_node(name, "a", "127.0.0.1:9005")));
  REQUIRE(c.resolve(name));
  // What the watcher does when the event stream breaks (daemon restart, overflow):
  c.internals().cache->mark_all_stale();
  backend->set_unavailable(true);
  auto served = c.resolve(name);
  REQUIRE(served);
  CHECK(*served == std::vector<std::string>{"127.0.0.1:9005"});
  CHECK(backend->lookups() == 2);  // it did ask

  const auto never_seen = unique("never-seen");
  auto unknown = c.resolve(never_seen);
  REQUIRE_FALSE(unknown);
  CHECK(unknown.error().code == 503);
  CHECK(unknown.error().detail.find("daemon gone") != std::string::npos);

  backend->set_unavailable(false);
  REQUIRE(backend->register_service(one_node(name, "b", "127.0.0.1:9006")));
  auto fresh = resolve_until(c, name, [](auto& r) { return r && r->size() == 2; });
  REQUIRE(fresh);
  CHECK(fresh->size() == 2);
}

namespace {

// A client over a gated memory registry, and a subscriber to its watcher that tells when the
// watcher has handled an event (it forwards each one after applying it).
struct gated_setup {
  std::shared_ptr<test::gated_registry> backend =
    std::make_shared<test::gated_registry>(std::make_shared<registry::memory_registry>());
  client c{options{}, backend};
  caf::scoped_actor self{c.internals().rt->system()};

  gated_setup() {
    // Processed before any event: events are only let through after this was sent.
    self->send(c.internals().watcher, actors::subscribe_atom::value, caf::actor_cast<caf::actor>(self));
    // The watcher opens its watch when it starts, which may be after the client is built: the
    // test's registrations must come after it, or their events are never seen.
    REQUIRE(backend->await_watch());
  }
  ~gated_setup() {
    self->send(c.internals().watcher, actors::unsubscribe_atom::value, caf::actor_cast<caf::actor>(self));
    backend->allow_events(1000);
  }

  // Lets one event through and waits until the watcher has handled it.
  registry::event pass_one_event() {
    backend->allow_events(1);
    registry::event seen;
    self->receive([&](actors::registry_event_atom, const registry::event& ev) { seen = ev; },
                  caf::after(std::chrono::seconds(5)) >> [&] { FAIL("no event reached the watcher"); });
    return seen;
  }
};

}  // namespace

TEST_CASE("watcher: an event older than the lookup, arriving during it, does not undo its answer",
          "[watcher][order]") {
  gated_setup g;
  const auto name = unique("held");
  REQUIRE(g.backend->register_service(one_node(name, "a", "127.0.0.1:9101")));  // event 1: {a}
  REQUIRE(g.backend->register_service(one_node(name, "b", "127.0.0.1:9102")));  // event 2: {a, b}
  result<std::vector<std::string>> first = micro::error{};
  {
    test::joining_thread caller{[&] { first = g.c.resolve(name); }};
    REQUIRE(g.backend->await_lookup_read());  // the lookup saw {a, b}
    auto ev = g.pass_one_event();             // ... and "{a}" reaches the watcher before its answer
    CHECK(ev.svc.nodes.size() == 1);
    g.backend->release_lookup();
  }
  REQUIRE(first);
  CHECK(first->size() == 2);
  auto cached = g.c.resolve(name);
  REQUIRE(cached);
  CHECK(cached->size() == 2);

  // Events newer than the lookup still count.
  g.pass_one_event();  // {a, b}: already known
  REQUIRE(g.backend->register_service(one_node(name, "c", "127.0.0.1:9103")));
  g.pass_one_event();
  auto three = g.c.resolve(name);
  REQUIRE(three);
  CHECK(three->size() == 3);
}

TEST_CASE("watcher: an event older than the lookup, arriving after it, does not undo it", "[watcher][order]") {
  gated_setup g;
  const auto name = unique("late-old");
  REQUIRE(g.backend->register_service(one_node(name, "a", "127.0.0.1:9111")));  // event 1: {a}
  REQUIRE(g.backend->register_service(one_node(name, "b", "127.0.0.1:9112")));  // event 2: {a, b}
  result<std::vector<std::string>> first = micro::error{};
  {
    test::joining_thread caller{[&] { first = g.c.resolve(name); }};
    REQUIRE(g.backend->await_lookup_read());
    g.backend->release_lookup();
  }
  REQUIRE(first);
  CHECK(first->size() == 2);
  g.pass_one_event();  // "{a}", published before the lookup read
  auto after_old = g.c.resolve(name);
  REQUIRE(after_old);
  CHECK(after_old->size() == 2);

  // A removal after the lookup is applied.
  REQUIRE(g.backend->deregister_service(one_node(name, "a", "127.0.0.1:9111")));  // event 3: {b}
  g.pass_one_event();  // event 2
  g.pass_one_event();  // event 3
  auto one = g.c.resolve(name);
  REQUIRE(one);
  CHECK(*one == std::vector<std::string>{"127.0.0.1:9112"});
}
