#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <thread>

#include "helpers.hpp"
#include "registry/memory.hpp"

using namespace micro::registry;
using namespace micro::registry::test;
using namespace std::chrono_literals;

namespace {

// Long enough never to fire on a healthy run; only bounds a broken one.
constexpr auto kWait = 5s;
// How long we wait to claim that no event comes.
constexpr auto kQuiet = 100ms;

event expect_event(watcher& w, event_type type) {
  auto ev = w.next(kWait);
  REQUIRE(ev.has_value());
  CHECK(to_string(ev->type) == std::string(to_string(type)));
  return *ev;
}

}  // namespace

TEST_CASE("memory: register then get returns the service", "[memory]") {
  memory_registry reg;
  CHECK(reg.name() == "memory");
  service svc{"greeter", "v1", {{"team", "core"}},
              {endpoint{"Greeter.Hello", "HelloRequest", "HelloResponse", {}}},
              {node{"n1", "127.0.0.1:9001", {{"protocol", "caf"}}}}};
  REQUIRE(reg.register_service(svc).ok());

  auto got = reg.get_service("greeter");
  REQUIRE(got.ok());
  REQUIRE(got.value.size() == 1);
  CHECK(got.value[0] == svc);
}

TEST_CASE("memory: unknown service is not_found, naming registry and service", "[memory]") {
  memory_registry reg;
  auto got = reg.get_service("nope");
  CHECK(got.st.code == errc::not_found);
  CHECK(got.st.message == "registry memory: service \"nope\" not found");
  CHECK(got.value.empty());
}

TEST_CASE("memory: invalid registrations are refused and change nothing", "[memory]") {
  memory_registry reg;
  CHECK(reg.register_service(make_service("", "v1", {make_node("n1")})).code ==
        errc::invalid_argument);
  CHECK(reg.register_service(make_service("greeter", "v1", {})).code == errc::invalid_argument);
  CHECK(reg.register_service(make_service("greeter", "v1", {make_node("")})).code ==
        errc::invalid_argument);
  auto st = reg.register_service(make_service("greeter", "v1", {make_node("n1", "")}));
  CHECK(st.code == errc::invalid_argument);
  CHECK_THAT(st.message, Catch::StartsWith("registry memory: "));
  CHECK(reg.register_service(make_service("greeter", "v1", {make_node("n1")}), {-1s}).code ==
        errc::invalid_argument);
  CHECK(reg.deregister_service(make_service("greeter", "v1", {})).code ==
        errc::invalid_argument);

  auto all = reg.list_services();
  REQUIRE(all.ok());
  CHECK(all.value.empty());
}

TEST_CASE("memory: list gives one entry per name and version", "[memory]") {
  memory_registry reg;
  REQUIRE(reg.register_service(make_service("greeter", "v1", {make_node("g1")})).ok());
  REQUIRE(reg.register_service(make_service("greeter", "v2", {make_node("g2")})).ok());
  REQUIRE(reg.register_service(make_service("users", "", {make_node("u1")})).ok());

  auto all = reg.list_services();
  REQUIRE(all.ok());
  REQUIRE(all.value.size() == 3);
  CHECK(all.value[0].name == "greeter");
  CHECK(all.value[0].version == "v1");
  CHECK(all.value[1].name == "greeter");
  CHECK(all.value[1].version == "v2");
  CHECK(all.value[2].name == "users");
  for (const auto& s : all.value) CHECK(s.nodes.empty());
}

TEST_CASE("memory: versions keep their own nodes", "[memory]") {
  memory_registry reg;
  REQUIRE(reg.register_service(make_service("greeter", "v1", {make_node("a", "h:1")})).ok());
  REQUIRE(reg.register_service(make_service("greeter", "v2", {make_node("b", "h:2")})).ok());

  auto got = reg.get_service("greeter");
  REQUIRE(got.ok());
  REQUIRE(got.value.size() == 2);
  CHECK(got.value[0] == make_service("greeter", "v1", {make_node("a", "h:1")}));
  CHECK(got.value[1] == make_service("greeter", "v2", {make_node("b", "h:2")}));

  // Deregistering node "b" under the wrong version removes nothing.
  REQUIRE(reg.deregister_service(make_service("greeter", "v1", {make_node("b")})).ok());
  CHECK(reg.get_service("greeter").value.size() == 2);

  REQUIRE(reg.deregister_service(make_service("greeter", "v1", {make_node("a")})).ok());
  got = reg.get_service("greeter");
  REQUIRE(got.value.size() == 1);
  CHECK(got.value[0].version == "v2");
}

TEST_CASE("memory: deregister removes nodes and the service goes with its last node", "[memory]") {
  memory_registry reg;
  REQUIRE(reg.register_service(
                 make_service("greeter", "v1", {make_node("n1", "h:1"), make_node("n2", "h:2")}))
              .ok());
  REQUIRE(reg.deregister_service(make_service("greeter", "v1", {make_node("n1")})).ok());
  auto got = reg.get_service("greeter");
  REQUIRE(got.ok());
  REQUIRE(got.value.size() == 1);
  CHECK(got.value[0].nodes == std::vector<node>{make_node("n2", "h:2")});

  REQUIRE(reg.deregister_service(make_service("greeter", "v1", {make_node("n2")})).ok());
  CHECK(reg.get_service("greeter").st.code == errc::not_found);
  CHECK(reg.list_services().value.empty());

  // Already gone: the desired state holds, so it is not an error.
  CHECK(reg.deregister_service(make_service("greeter", "v1", {make_node("n2")})).ok());
}

TEST_CASE("memory: the latest registration sets metadata and endpoints", "[memory]") {
  memory_registry reg;
  service svc = make_service("greeter", "v1", {make_node("n1")});
  svc.meta = {{"rev", "1"}};
  REQUIRE(reg.register_service(svc).ok());
  svc.meta = {{"rev", "2"}};
  svc.endpoints = {endpoint{"Greeter.Hello", "Req", "Resp", {}}};
  REQUIRE(reg.register_service(svc).ok());
  auto got = reg.get_service("greeter");
  REQUIRE(got.value.size() == 1);
  CHECK(got.value[0] == svc);
}

TEST_CASE("memory: watchers see create, update and delete in order", "[memory][watch]") {
  memory_registry reg;
  auto all = reg.watch();
  auto only_greeter = reg.watch("greeter");
  auto only_users = reg.watch("users");

  const auto n1 = make_node("n1", "h:1");
  const auto n2 = make_node("n2", "h:2");
  REQUIRE(reg.register_service(make_service("greeter", "v1", {n1})).ok());
  REQUIRE(reg.register_service(make_service("greeter", "v1", {n2})).ok());
  // Same content again: a TTL refresh, no event.
  REQUIRE(reg.register_service(make_service("greeter", "v1", {n1})).ok());
  // A node that moved: update.
  const auto n2_moved = make_node("n2", "h:3");
  REQUIRE(reg.register_service(make_service("greeter", "v1", {n2_moved})).ok());
  REQUIRE(reg.deregister_service(make_service("greeter", "v1", {n1})).ok());
  REQUIRE(reg.deregister_service(make_service("greeter", "v1", {n2})).ok());

  for (auto* w : {all.get(), only_greeter.get()}) {
    auto ev = expect_event(*w, event_type::create);
    CHECK(ev.svc == make_service("greeter", "v1", {n1}));
    ev = expect_event(*w, event_type::update);
    CHECK(ev.svc == make_service("greeter", "v1", {n1, n2}));
    ev = expect_event(*w, event_type::update);
    CHECK(ev.svc == make_service("greeter", "v1", {n1, n2_moved}));
    ev = expect_event(*w, event_type::update);
    CHECK(ev.svc == make_service("greeter", "v1", {n2_moved}));
    ev = expect_event(*w, event_type::remove);
    CHECK(ev.svc == make_service("greeter", "v1", {n2_moved}));
    CHECK(ev.when.time_since_epoch().count() > 0);
    CHECK_FALSE(w->next(kQuiet).has_value());
    CHECK_FALSE(w->stopped());
  }
  CHECK_FALSE(only_users->next(kQuiet).has_value());
  CHECK_FALSE(only_users->stopped());
}

TEST_CASE("memory: a new version of a known service is a create", "[memory][watch]") {
  memory_registry reg;
  REQUIRE(reg.register_service(make_service("greeter", "v1", {make_node("a")})).ok());
  auto w = reg.watch("greeter");
  REQUIRE(reg.register_service(make_service("greeter", "v2", {make_node("b")})).ok());
  auto ev = expect_event(*w, event_type::create);
  CHECK(ev.svc.version == "v2");
}

TEST_CASE("memory: a lapsed TTL removes the node and tells watchers", "[memory][ttl]") {
  memory_registry reg;
  auto w = reg.watch("greeter");
  const auto keeper = make_node("keeper", "h:1");
  const auto mortal = make_node("mortal", "h:2");
  REQUIRE(reg.register_service(make_service("greeter", "v1", {keeper}), {0s}).ok());
  REQUIRE(reg.register_service(make_service("greeter", "v1", {mortal}), {1s}).ok());
  expect_event(*w, event_type::create);
  expect_event(*w, event_type::update);

  // The pruner drops "mortal" after ~1 s; "keeper" (TTL 0) never expires.
  auto ev = expect_event(*w, event_type::update);
  CHECK(ev.svc == make_service("greeter", "v1", {keeper}));
  auto got = reg.get_service("greeter");
  REQUIRE(got.ok());
  CHECK(got.value[0].nodes == std::vector<node>{keeper});

  auto other = reg.watch("other");
  REQUIRE(reg.register_service(make_service("other", "", {mortal}), {1s}).ok());
  expect_event(*other, event_type::create);
  ev = expect_event(*other, event_type::remove);
  CHECK(ev.svc == make_service("other", "", {mortal}));
  CHECK(reg.get_service("other").st.code == errc::not_found);
}

TEST_CASE("memory: re-registering replaces the TTL", "[memory][ttl]") {
  memory_registry reg;
  auto w = reg.watch();
  const auto n = make_node("n1");
  REQUIRE(reg.register_service(make_service("greeter", "v1", {n}), {1s}).ok());
  expect_event(*w, event_type::create);
  // Now it never expires: no delete may come after the first TTL would have lapsed.
  REQUIRE(reg.register_service(make_service("greeter", "v1", {n}), {0s}).ok());
  CHECK_FALSE(w->next(1500ms).has_value());
  CHECK_FALSE(w->stopped());
  CHECK(reg.get_service("greeter").ok());
}

TEST_CASE("memory: a slow watcher overflows without blocking registrations",
          "[memory][watch]") {
  memory_registry reg(memory_options{2});
  auto slow = reg.watch();
  auto fast = reg.watch();
  std::vector<event> fast_seen;
  for (int i = 0; i < 5; ++i) {
    REQUIRE(reg.register_service(
                   make_service("svc" + std::to_string(i), "", {make_node("n" + std::to_string(i))}))
                .ok());
    auto ev = fast->next(kWait);
    REQUIRE(ev.has_value());
    fast_seen.push_back(*ev);
  }
  // All registrations went through although `slow` never read.
  CHECK(reg.list_services().value.size() == 5);
  // The fast watcher saw everything, in order.
  REQUIRE(fast_seen.size() == 5);
  for (int i = 0; i < 5; ++i) CHECK(fast_seen[i].svc.name == "svc" + std::to_string(i));
  CHECK_FALSE(fast->overflowed());
  CHECK_FALSE(fast->stopped());
  // The slow one is told it lost events instead of getting a partial stream.
  CHECK(slow->overflowed());
  CHECK(slow->stopped());
  CHECK_FALSE(slow->next(0ms).has_value());

  // Recovery: read the registry again and watch again.
  auto again = reg.watch();
  REQUIRE(reg.deregister_service(make_service("svc0", "", {make_node("n0")})).ok());
  expect_event(*again, event_type::remove);
}

TEST_CASE("memory: exactly capacity pending events do not overflow", "[memory][watch]") {
  memory_registry reg(memory_options{2});
  auto w = reg.watch();
  REQUIRE(reg.register_service(make_service("a", "", {make_node("a1")})).ok());
  REQUIRE(reg.register_service(make_service("b", "", {make_node("b1")})).ok());
  CHECK_FALSE(w->overflowed());
  CHECK(expect_event(*w, event_type::create).svc.name == "a");
  CHECK(expect_event(*w, event_type::create).svc.name == "b");
}

TEST_CASE("memory: stop wakes a blocked next and ends the stream", "[memory][watch]") {
  memory_registry reg;
  auto w = reg.watch();
  std::optional<event> got;
  const auto start = std::chrono::steady_clock::now();
  std::thread consumer([&] { got = w->next(30s); });
  w->stop();
  consumer.join();
  CHECK_FALSE(got.has_value());
  CHECK(w->stopped());
  CHECK_FALSE(w->overflowed());
  CHECK(std::chrono::steady_clock::now() - start < 20s);

  // Later events are not delivered to a stopped watcher.
  REQUIRE(reg.register_service(make_service("greeter", "", {make_node("n1")})).ok());
  CHECK_FALSE(w->next(0ms).has_value());
}

TEST_CASE("memory: watchers outlive their registry as stopped", "[memory][watch]") {
  auto reg = std::make_shared<memory_registry>();
  auto w = reg->watch();
  auto dropped = reg->watch();
  dropped.reset();  // a consumer that went away must not disturb anyone
  REQUIRE(reg->register_service(make_service("greeter", "", {make_node("n1")})).ok());
  reg.reset();
  CHECK(w->stopped());
  CHECK_FALSE(w->overflowed());
  // Events queued before the registry went away are not delivered after stop.
  CHECK_FALSE(w->next(0ms).has_value());
}

TEST_CASE("memory: shared() gives one instance per name", "[memory]") {
  auto a = memory_registry::shared("memory_test.shared");
  auto b = memory_registry::shared("memory_test.shared");
  auto c = memory_registry::shared("memory_test.other");
  CHECK(a == b);
  CHECK(a != c);
  CHECK(memory_registry::shared() == memory_registry::shared());

  REQUIRE(a->register_service(make_service("greeter", "", {make_node("n1")})).ok());
  CHECK(b->get_service("greeter").ok());
  CHECK(c->get_service("greeter").st.code == errc::not_found);
  REQUIRE(a->deregister_service(make_service("greeter", "", {make_node("n1")})).ok());
}

TEST_CASE("memory: concurrent registrations are all seen, each once", "[memory][watch]") {
  memory_registry reg;
  auto w = reg.watch("load");
  constexpr int threads = 4, per_thread = 50;
  std::vector<std::thread> workers;
  std::atomic<int> failures{0};
  for (int t = 0; t < threads; ++t)
    workers.emplace_back([&, t] {
      for (int i = 0; i < per_thread; ++i) {
        const auto id = "t" + std::to_string(t) + "-" + std::to_string(i);
        if (!reg.register_service(make_service("load", "", {make_node(id, "h:" + id)})))
          ++failures;
        if (!reg.get_service("load")) ++failures;
      }
    });
  int creates = 0, updates = 0;
  std::size_t last_size = 0;
  for (int i = 0; i < threads * per_thread; ++i) {
    auto ev = w->next(kWait);
    REQUIRE(ev.has_value());
    (ev->type == event_type::create ? creates : updates)++;
    // Each event is a snapshot with one more node than the one before.
    CHECK(ev->svc.nodes.size() == last_size + 1);
    last_size = ev->svc.nodes.size();
  }
  for (auto& t : workers) t.join();
  CHECK(failures == 0);
  CHECK(creates == 1);
  CHECK(updates == threads * per_thread - 1);
  CHECK(reg.get_service("load").value.at(0).nodes.size() == threads * per_thread);
}

TEST_CASE("memory: events are numbered, and a snapshot says which it reflects", "[memory][watch][revision]") {
  memory_registry reg;
  auto w = reg.watch();
  auto empty = reg.get_service_snapshot("greeter");
  CHECK(empty.services.st.code == errc::not_found);
  CHECK(empty.revision == 0);
  REQUIRE(reg.register_service(make_service("greeter", "1", {make_node("a")})).ok());
  REQUIRE(reg.register_service(make_service("users", "1", {make_node("u")})).ok());
  REQUIRE(reg.register_service(make_service("greeter", "1", {make_node("b")})).ok());
  for (std::uint64_t expected : {1u, 2u, 3u}) {
    auto ev = w->next(kWait);
    REQUIRE(ev);
    CHECK(ev->revision == expected);  // across services: one count per backend
  }
  auto snap = reg.get_service_snapshot("greeter");
  REQUIRE(snap.services.ok());
  CHECK(snap.services.value.at(0).nodes.size() == 2);
  CHECK(snap.revision == 3);
  REQUIRE(reg.deregister_service(make_service("greeter", "1", {make_node("a")})).ok());
  CHECK(reg.get_service_snapshot("greeter").revision == 4);
  CHECK(reg.get_service("greeter").value.at(0).nodes.size() == 1);
}
