// Discovery across processes over mDNS (a real avahi-daemon; `make test` starts one on
// loopback): a client finds a server process, and loses it when it stops or dies.
#include <catch2/catch.hpp>

#include <csignal>
#include <cstdio>
#include <unistd.h>

#include "harness.hpp"

using namespace micro;
using namespace micro::test;

namespace {

std::string unique(const std::string& base) {
  static int n = 0;
  return base + "-" + std::to_string(::getpid()) + "-" + std::to_string(++n);
}

running_server start_mdns_server(const std::string& name) {
  server_config cfg{name};
  cfg.env["MICRO_REGISTRY"] = "mdns";
  cfg.env["MICRO_REGISTRY_ADDRESS"] = "";
  return start_test_server(cfg);
}

std::unique_ptr<client> mdns_client() {
  options opts;
  REQUIRE(apply_environment(opts));
  opts.with_registry("mdns");
  return std::make_unique<client>(opts);
}

bool lists(const result<std::vector<std::string>>& r, const std::string& address) {
  return r && std::find(r->begin(), r->end(), address) != r->end();
}

// Polls the client's cache (cheap) until `address` is listed (want = true) or gone; bounded.
// Returns the milliseconds it took, or -1.
long long await_listed(client& c, const std::string& service, const std::string& address, bool want,
                       milliseconds bound = 10s) {
  auto t0 = steady_clock::now();
  while (steady_clock::now() - t0 < bound) {
    if (lists(c.resolve(service), address) == want)
      return ms_since(t0);
    std::this_thread::sleep_for(2ms);
  }
  return -1;
}

}  // namespace

TEST_CASE("discovery: a server process is found over mDNS and called", "[discovery][mdns]") {
  auto c = mdns_client();
  const auto name = unique("disc-call");
  auto t0 = steady_clock::now();
  auto s = start_mdns_server(name);
  REQUIRE(await_listed(*c, name, s.address, true) >= 0);
  json rsp;
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
