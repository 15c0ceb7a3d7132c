// Discovery across processes over mDNS (a real avahi-daemon; `make test` starts one on
// loopback): a client finds a server process, and loses it when it stops or dies.
#include <catch2/catch.hpp>

#include <csignal>
#include <cstdio>

#include "discovery_helpers.hpp"

using namespace micro;
using namespace micro::test;

TEST_CASE("discovery: a server process is found over mDNS and called", "[discovery][mdns]") {
  auto c = mdns_client();
  const auto name = unique("disc-call");
  auto t0 = steady_clock::now();
  auto s = start_mdns_server(name);
  REQUIRE(await_listed(*c, name, s.address, true) >= 0);
  auto r = c->call<json>(name, "Test.Count", json::object());
  if (!r && dropped_before_handshake(r.error()))
    r = c->call<json>(name, "Test.Count", json::object());
  REQUIRE(r);
  std::printf("discovery: server start -> first successful call over mDNS: %lld ms\n", ms_since(t0));
}

TEST_CASE("discovery: a node killed with SIGKILL leaves the client's cache", "[discovery][mdns]") {
  auto c = mdns_client();
  const auto name = unique("disc-kill");
  auto a = start_mdns_server(name);
  auto b = start_mdns_server(name);
  REQUIRE(await_listed(*c, name, a.address, true) >= 0);
  REQUIRE(await_listed(*c, name, b.address, true) >= 0);
  a.proc->kill();
  auto gone_ms = await_listed(*c, name, a.address, false);
  REQUIRE(gone_ms >= 0);
  CHECK(lists(c->resolve(name), b.address));
  std::printf("discovery: SIGKILL -> node gone from the client's cache: %lld ms\n", gone_ms);
}

TEST_CASE("discovery: a node stopped with SIGTERM deregisters and leaves the cache", "[discovery][mdns]") {
  auto c = mdns_client();
  const auto name = unique("disc-term");
  auto a = start_mdns_server(name);
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
  std::printf("discovery: SIGTERM -> node gone from the client's cache: %lld ms\n", ms_since(t0));
}

TEST_CASE("discovery: an unknown service is a 404 that names the registry", "[discovery][mdns]") {
  auto c = mdns_client();
  auto r = c->call<json>(unique("nobody"), "X.Y", json::object());
  REQUIRE_FALSE(r);
  CHECK(r.error().code == 404);
  CHECK(r.error().detail.find("mdns") != std::string::npos);
  CHECK(r.error().detail.find("not found") != std::string::npos);
}
