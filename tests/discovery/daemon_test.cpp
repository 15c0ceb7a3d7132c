// The avahi-daemon goes away and comes back: clients keep calling from their cache meanwhile,
// and every node is found again afterwards. Hidden from the discovered tests (it stops the
// shared daemon); tests/discovery/CMakeLists.txt runs it alone, with MICRO_AVAHI set to
// scripts/avahi. A daemon that scripts/avahi did not start is left alone (the test says so).
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "discovery_helpers.hpp"

using namespace micro;
using namespace micro::test;

namespace {

// Runs `scripts/avahi <command>`; its exit code.
int avahi(const std::string& command) {
  const char* script = std::getenv("MICRO_AVAHI");
  REQUIRE(script != nullptr);
  int rc = std::system((std::string{script} + " " + command).c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

}  // namespace

TEST_CASE("discovery: while avahi-daemon is down the cache answers; afterwards nodes are found again",
          "[.][daemon]") {
  auto c = mdns_client();
  const auto name = unique("disc-daemon");
  auto s = start_mdns_server(name);
  REQUIRE(await_listed(*c, name, s.address, true) >= 0);
  connect_to(*c, s);

  const int stopped = avahi("daemon-stop");
  if (stopped == 3) {
    WARN("the avahi-daemon was not started by scripts/avahi: not stopping it");
    return;
  }
  REQUIRE(stopped == 0);
  {
    // Daemon gone: the cache still knows the node, and calls reach it.
    CHECK(lists(c->resolve(name), s.address));
    auto r = c->call<json>(name, "Test.Count", json::object());
    CHECK(r);
    // A name nobody cached is an error, not a hang.
    auto unknown = c->resolve(unique("never-cached"));
    REQUIRE_FALSE(unknown);
    CHECK((unknown.error().code == 404 || unknown.error().code == 503));
    // A service that starts now cannot register: it exits, saying how to get a daemon.
    std::map<std::string, std::string> env = heartbeat_env();
    env["MICRO_REGISTRY"] = "mdns";
    env["MICRO_SERVER_ADDRESS"] = "127.0.0.1:0";
    process late{sibling_binary("micro-test-server"), {"--server_name", unique("disc-late")}, env};
    auto said = late.wait_for_line(stream::err, "Avahi daemon", 15s);
    REQUIRE(said);
    CHECK(said->find("\"code\":503") != std::string::npos);
    CHECK(said->find("scripts/avahi start") != std::string::npos);
    CHECK(said->find("MICRO_REGISTRY=memory|static") != std::string::npos);
    auto ended = late.wait(15s);
    REQUIRE(ended);
    CHECK(ended->exited);
    CHECK(ended->code != 0);
  }
  REQUIRE(avahi("daemon-start") == 0);
  auto t0 = steady_clock::now();
  // A fresh client (its own browse) finds the node: the server re-published it.
  auto fresh = mdns_client();
  REQUIRE(await_listed(*fresh, name, s.address, true, 15s) >= 0);
  std::printf("discovery: daemon back -> node found by a fresh client: %lld ms\n", ms_since(t0));
  // The old client follows events again: the node's death reaches its cache.
  CHECK(lists(c->resolve(name), s.address));
  s.proc->kill();
  auto gone_ms = await_listed(*c, name, s.address, false, 10s);
  CHECK(gone_ms >= 0);
  std::printf("discovery: after the restart, SIGKILL -> gone from the old client's cache: %lld ms\n", gone_ms);
}
