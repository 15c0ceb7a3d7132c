// The etcd registry against a real etcd (one per test case, on free loopback ports): go-micro's
// layout on the wire, watches, leases, and what happens when etcd restarts, loses its data or
// cannot be reached.
#include <catch2/catch.hpp>

#include <chrono>
#include <thread>

#include "etcd_server.hpp"
#include "registry/base64.hpp"
#include "registry/etcd.hpp"
#include "registry/etcd_client.hpp"

using namespace micro::registry;
using namespace std::chrono_literals;
using micro::test::etcd_server;

namespace {

service greeter(const std::string& id, const std::string& address = "10.77.0.1:9000") {
  return service{"greeter", "1.0", {},
                 {endpoint{"Greeter.Hello", "greeter.Request", "greeter.Response", {}}},
                 {node{id, address, {{"host", "a"}}}}};
}

std::shared_ptr<etcd_registry> open(const std::string& address) {
  auto r = etcd_registry::open(address);
  REQUIRE(r.ok());
  return r.value;
}

// Waits (bounded) for the next event about `name` that satisfies `pred`.
template <class Pred>
std::optional<event> await_event(watcher& w, Pred pred, std::chrono::milliseconds limit = 10s) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (auto ev = w.next(100ms); ev && pred(*ev))
      return ev;
  }
  return std::nullopt;
}

// Waits (bounded) until `cond` holds; polls the registry, which is what is being observed.
template <class Cond>
bool eventually(Cond cond, std::chrono::milliseconds limit = 10s) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (cond())
      return true;
    std::this_thread::sleep_for(50ms);
  }
  return cond();
}

std::size_t node_count(registry& reg, const std::string& name) {
  auto r = reg.get_service(name);
  std::size_t n = 0;
  for (auto& s : r.value)
    n += s.nodes.size();
  return n;
}

}  // namespace

TEST_CASE("etcd: register writes go-micro's key and value, get and list read them back") {
  etcd_server etcd;
  auto reg = open(etcd.url());
  REQUIRE(reg->register_service(greeter("greeter-1")).ok());
  REQUIRE(reg->register_service(greeter("greeter-2", "10.77.0.2:9000")).ok());

  etcd_client raw({etcd.url()});
  auto kv = raw.post("/v3/kv/range", {{"key", base64_encode("/micro/registry/greeter/greeter-1")}});
  REQUIRE(kv.ok());
  REQUIRE(kv.value["kvs"].size() == 1);
  auto value = nlohmann::json::parse(*base64_decode(kv.value["kvs"][0]["value"].get<std::string>()));
  CHECK(value["name"] == "greeter");
  CHECK(value["nodes"][0]["address"] == "10.77.0.1:9000");
  CHECK(value["endpoints"][0]["request"]["name"] == "greeter.Request");
  CHECK(kv.value["kvs"][0].contains("lease"));

  auto got = reg->get_service("greeter");
  REQUIRE(got.ok());
  REQUIRE(got.value.size() == 1);
  CHECK(got.value[0].nodes.size() == 2);
  CHECK(got.value[0].endpoints.at(0).response == "greeter.Response");
  auto listed = reg->list_services();
  REQUIRE(listed.ok());
  CHECK(listed.value.size() == 1);

  CHECK(reg->get_service("nobody").st.code == errc::not_found);
  REQUIRE(reg->deregister_service(greeter("greeter-1")).ok());
  CHECK(node_count(*reg, "greeter") == 1);
  CHECK(reg->health().ok());
}

TEST_CASE("etcd: entries written by go-micro are read, garbage under the prefix is skipped") {
  etcd_server etcd;
  etcd_client raw({etcd.url()});
  const std::string go_value =
      R"({"name":"go.micro.srv.x","version":"latest","metadata":null,"endpoints":null,)"
      R"("nodes":[{"id":"x-1","address":"10.77.0.9:41000","metadata":{"protocol":"grpc"}}]})";
  REQUIRE(raw.post("/v3/kv/put", {{"key", base64_encode("/micro/registry/go.micro.srv.x/x-1")},
                                  {"value", base64_encode(go_value)}}).ok());
  REQUIRE(raw.post("/v3/kv/put", {{"key", base64_encode("/micro/registry/go.micro.srv.x/junk")},
                                  {"value", base64_encode("{not json")}}).ok());
  auto reg = open(etcd.url());
  auto got = reg->get_service("go.micro.srv.x");
  REQUIRE(got.ok());
  REQUIRE(got.value.at(0).nodes.size() == 1);
  CHECK(got.value[0].nodes[0].meta.at("protocol") == "grpc");
}

TEST_CASE("etcd: a watcher sees create, update and delete as nodes come and go") {
  etcd_server etcd;
  auto reg = open(etcd.url());
  auto other = open(etcd.url());
  auto w = reg->watch("greeter");
  REQUIRE(other->register_service(greeter("g1")).ok());
  auto created = await_event(*w, [](const event& e) { return e.type == event_type::create; });
  REQUIRE(created);
  CHECK(created->svc.nodes.size() == 1);
  // etcd's own revision, comparable with what a lookup reports (the cache skips older events).
  CHECK(created->revision > 0);
  CHECK(created->revision <= reg->get_service_snapshot("greeter").revision);

  REQUIRE(other->register_service(greeter("g2", "10.77.0.2:9000")).ok());
  auto grown = await_event(*w, [](const event& e) { return e.type == event_type::update; });
  REQUIRE(grown);
  CHECK(grown->svc.nodes.size() == 2);

  // Re-registering the same content only renews the lease: no event.
  REQUIRE(other->register_service(greeter("g2", "10.77.0.2:9000")).ok());
  REQUIRE(other->deregister_service(greeter("g1")).ok());
  auto next = await_event(*w, [](const event&) { return true; });
  REQUIRE(next);
  CHECK(next->type == event_type::update);
  CHECK(next->svc.nodes.size() == 1);

  REQUIRE(other->deregister_service(greeter("g2")).ok());
  auto removed = await_event(*w, [](const event& e) { return e.type == event_type::remove; });
  REQUIRE(removed);
  CHECK(removed->svc.nodes.at(0).id == "g2");
}

TEST_CASE("etcd: a node whose process is gone leaves when its lease ends") {
  etcd_server etcd;
  auto reg = open(etcd.url());
  auto w = reg->watch("greeter");
  {
    auto dying = open(etcd.url());
    REQUIRE(dying->register_service(greeter("g1"), register_options{std::chrono::seconds(2)}).ok());
  }  // gone without deregistering, as after a SIGKILL
  REQUIRE(await_event(*w, [](const event& e) { return e.type == event_type::create; }));
  const auto since = std::chrono::steady_clock::now();
  auto removed = await_event(*w, [](const event& e) { return e.type == event_type::remove; });
  REQUIRE(removed);
  CHECK(std::chrono::steady_clock::now() - since < 6s);
}

TEST_CASE("etcd: a node deleted behind its owner's back is put back by the owner") {
  etcd_server etcd;
  auto owner = open(etcd.url());
  auto owner_watch = owner->watch();  // the owner's watch is what notices
  REQUIRE(owner->register_service(greeter("g1")).ok());
  auto observer = open(etcd.url());
  auto w = observer->watch("greeter");
  etcd_client raw({etcd.url()});
  REQUIRE(raw.post("/v3/kv/deleterange", {{"key", base64_encode("/micro/registry/greeter/g1")}}).ok());
  REQUIRE(await_event(*w, [](const event& e) { return e.type == event_type::remove; }));
  REQUIRE(await_event(*w, [](const event& e) { return e.type == event_type::create; }));
  CHECK(node_count(*observer, "greeter") == 1);
}

TEST_CASE("etcd: an etcd restart is survived, a wiped etcd gets the nodes back") {
  etcd_server etcd;
  auto owner = open(etcd.url());
  auto w = owner->watch("greeter");
  REQUIRE(owner->register_service(greeter("g1")).ok());
  REQUIRE(await_event(*w, [](const event& e) { return e.type == event_type::create; }));

  etcd.stop();
  CHECK(eventually([&] { return !owner->health().ok(); }));
  CHECK(owner->health().code == errc::unavailable);
  CHECK(owner->get_service("greeter").st.code == errc::unavailable);
  etcd.start();
  CHECK(eventually([&] { return owner->health().ok(); }));

  // The watch is back: a new node shows up as an event.
  auto other = open(etcd.url());
  REQUIRE(other->register_service(greeter("g2", "10.77.0.2:9000")).ok());
  REQUIRE(await_event(*w, [](const event& e) { return e.svc.nodes.size() == 2; }));

  // All data lost: the owner's watch reconnects, finds its node missing and puts it back.
  etcd.wipe();
  CHECK(eventually([&] { return node_count(*other, "greeter") >= 1; }, 15s));
  auto got = other->get_service("greeter");
  REQUIRE(got.ok());
  CHECK(got.value.at(0).nodes.at(0).id == "g1");
}

TEST_CASE("etcd: endpoints fail over, an unreachable etcd is a coded error") {
  etcd_server etcd;
  auto dead = "http://127.0.0.1:" + std::to_string(etcd.client_port() == 1 ? 2 : 1);
  auto reg = open(dead + "," + etcd.url());
  REQUIRE(reg->register_service(greeter("g1")).ok());
  CHECK(node_count(*reg, "greeter") == 1);

  auto nowhere = open(dead);
  auto r = nowhere->get_service("greeter");
  CHECK(r.st.code == errc::unavailable);
  CHECK(r.st.message.find("cannot reach etcd") != std::string::npos);
  CHECK(nowhere->register_service(greeter("g1")).code == errc::unavailable);
  CHECK(nowhere->health().code == errc::unavailable);
  CHECK(etcd_registry::open("ftp://x").st.code == errc::invalid_argument);
}
