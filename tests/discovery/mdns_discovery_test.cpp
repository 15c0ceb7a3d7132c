// Discovery across processes: a client finds a server process, and loses it when it stops or
// dies. The [any_registry] cases run over mDNS (a real avahi-daemon; `make test` starts one on
// loopback) and, as discovery.etcd.*, over a real etcd (MICRO_TEST_REGISTRY=etcd).
#include <catch2/catch.hpp>

#include <csignal>
#include <cstdio>

#include "discovery_helpers.hpp"

using namespace micro;
using namespace micro::test;

TEST_CASE("discovery: a server process is found through the registry and called", "[discovery][any_registry]") {
  auto c = registry_client();
  const auto name = unique("disc-call");
  auto t0 = steady_clock::now();
  auto s = start_registry_server(name);
  REQUIRE(await_listed(*c, name, s.address, true) >= 0);
  auto r = c->call<json>(name, "Test.Count", json::object());
  if (!r && dropped_before_handshake(r.error()))
    r = c->call<json>(name, "Test.Count", json::object());
  REQUIRE(r);
  std::printf("discovery: server start -> first successful call over %s: %lld ms\n", tested_registry().name.c_str(), ms_since(t0));
}

TEST_CASE("discovery: a node killed with SIGKILL leaves the client's cache", "[discovery][any_registry]") {
  auto c = registry_client();
  const auto name = unique("disc-kill");
  auto a = start_registry_server(name);
  auto b = start_registry_server(name);
  REQUIRE(await_listed(*c, name, a.address, true) >= 0);
  REQUIRE(await_listed(*c, name, b.address, true) >= 0);
  a.proc->kill();
  auto gone_ms = await_listed(*c, name, a.address, false);
  REQUIRE(gone_ms >= 0);
  CHECK(lists(c->resolve(name), b.address));
  std::printf("discovery (%s): SIGKILL -> node gone from the client's cache: %lld ms\n", tested_registry().name.c_str(), gone_ms);
}

TEST_CASE("discovery: a node stopped with SIGTERM deregisters and leaves the cache", "[discovery][any_registry]") {
  auto c = registry_client();
  const auto name = unique("disc-term");
  auto a = start_registry_server(name);
  REQUIRE(await_listed(*c, name, a.address, true) >= 0);
  auto t0 = steady_clock::now();
  REQUIRE(a.proc->signal(SIGTERM));
  auto gone_ms = await_listed(*c, name, a.address, false);
  REQUIRE(gone_ms >= 0);
  auto ended = a.proc->wait(10s);
  REQUIRE(ended);
  CHECK(ended->exited);
  CHECK(ended->code == 0);
  auto r = c->resolve(name);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == 404);
  std::printf("discovery (%s): SIGTERM -> node gone from the client's cache: %lld ms\n", tested_registry().name.c_str(), ms_since(t0));
}

TEST_CASE("discovery: an unknown service is a 404 that names the registry", "[discovery][any_registry]") {
  auto c = registry_client();
  auto r = c->call<json>(unique("nobody"), "X.Y", json::object());
  REQUIRE_FALSE(r);
  CHECK(r.error().code == 404);
  CHECK(r.error().detail.find(tested_registry().name) != std::string::npos);
  CHECK(r.error().detail.find("not found") != std::string::npos);
}

TEST_CASE("discovery: a node bound to all interfaces is advertised with what Avahi resolves",
          "[discovery][mdns]") {
  auto c = mdns_client();
  const auto name = unique("disc-any");
  server_config cfg{name};
  cfg.env["MICRO_REGISTRY"] = "mdns";
  cfg.env["MICRO_REGISTRY_ADDRESS"] = "";
  cfg.env["MICRO_SERVER_ADDRESS"] = "0.0.0.0:0";
  std::map<std::string, std::string> env = heartbeat_env();
  for (auto& [k, v] : cfg.env)
    env[k] = v;
  process server{sibling_binary("micro-test-server"), {"--server_name", name}, env};
  auto first = server.read_line(stream::out, 30s);
  REQUIRE(first);
  REQUIRE(first->rfind("listening 0.0.0.0:", 0) == 0);
  // "listening host:port", then the node's metadata (";transport=tcp;..." by default).
  const auto listening = first->substr(0, first->find(';'));
  const auto port = listening.substr(listening.rfind(':') + 1);
  // Whatever Avahi resolved for the interface it published on (127.0.0.1 with scripts/avahi,
  // which publishes on lo only), with the bound port, never 0.0.0.0.
  auto t0 = steady_clock::now();
  result<std::vector<std::string>> found = c->resolve(name);
  while (!found && steady_clock::now() - t0 < 10s) {
    std::this_thread::sleep_for(5ms);
    found = c->resolve(name);
  }
  REQUIRE(found);
  REQUIRE(found->size() == 1);
  // resolve() gives the same form.
  const auto address = found->front().substr(0, found->front().find(';'));
  CHECK(address.rfind("0.0.0.0", 0) != 0);
  CHECK(address.substr(address.rfind(':') + 1) == port);
  auto r = c->call<json>(name, "Test.Count", json::object());
  if (!r && dropped_before_handshake(r.error()))
    r = c->call<json>(name, "Test.Count", json::object());
  CHECK(r);
}
