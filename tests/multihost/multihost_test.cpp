// Three hosts (network namespaces made by hosts.sh: a 10.77.0.1, b .2, c .3, each with its own
// D-Bus and avahi-daemon): a service on a and b, this test process as the client on c. Over
// mDNS, and over etcd (run by this process on c). Shows: found and called across hosts at the
// addresses peers can reach; node metadata saying which host; pub/sub and a stream across hosts;
// a host's link cut is noticed and calls go to the other; the link restored brings it back.
#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <set>

#include "etcd_server.hpp"
#include "harness.hpp"

using namespace micro;
using namespace micro::test;

namespace {

std::string env(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0')
    FAIL(std::string(name) + " is not set: run through hosts.sh (ctest multihost.*)");
  return v;
}

std::string host_pid(const std::string& host) {
  std::ifstream in(env("MULTIHOST_DIR") + "/" + host + ".pid");
  std::string pid;
  in >> pid;
  REQUIRE_FALSE(pid.empty());
  return pid;
}

void link(const std::string& what, const std::string& host) {
  auto cmd = "bash " + env("MULTIHOST_SCRIPT") + " " + what + " " + env("MULTIHOST_DIR") + " " + host;
  REQUIRE(std::system(cmd.c_str()) == 0);
}

struct node_on_host {
  std::unique_ptr<process> proc;
  std::string port;
};

// micro-test-server on `host`, bound to all interfaces, with the registry settings in `reg`.
node_on_host start_on(const std::string& host, const std::string& name, std::map<std::string, std::string> reg) {
  auto vars = heartbeat_env();
  for (auto& [k, v] : reg)
    vars[k] = v;
  vars["MICRO_SERVER_ADDRESS"] = "0.0.0.0:0";
  vars["TEST_PUBSUB_STREAM"] = "1";
  auto p = std::make_unique<process>(
      "/usr/bin/nsenter",
      std::vector<std::string>{"-t", host_pid(host), "-m", "-n", "-u", "--", sibling_binary("micro-test-server"),
                               "--server_name", name},
      vars);
  auto first = p->read_line(stream::out, 30s);
  INFO(p->transcript());
  REQUIRE(first);
  REQUIRE(first->rfind("listening ", 0) == 0);
  auto address = first->substr(10);
  address = address.substr(0, address.find(';'));
  return {std::move(p), address.substr(address.rfind(':') + 1)};
}

// The port of the node that answered (a node bound to 0.0.0.0 knows its port, not the address
// peers reach it at; the two nodes' ports tell them apart).
std::string whoami_port(client& c, const std::string& name, milliseconds timeout) {
  auto r = c.call<json>(name, "Test.Whoami", json::object(), call_options{}.with_timeout(timeout));
  if (!r)
    return {};
  auto address = r->value("address", "");
  return address.substr(address.rfind(':') + 1);
}

void run_scenario(const std::string& registry, std::map<std::string, std::string> reg) {
  const auto name = "mh-" + registry;
  options opts;
  REQUIRE(apply_environment(opts));
  opts.with_registry(reg["MICRO_REGISTRY"], reg["MICRO_REGISTRY_ADDRESS"]);
  client c{opts};

  auto t0 = steady_clock::now();
  auto a = start_on("a", name, reg);
  auto b = start_on("b", name, reg);
  const auto at_a = "10.77.0.1:" + a.port, at_b = "10.77.0.2:" + b.port;

  // Found across hosts at the addresses peers reach (not 127.0.0.1, not 0.0.0.0).
  std::vector<std::string> found;
  while (steady_clock::now() - t0 < 20s) {
    auto r = c.resolve(name);
    if (r && r->size() == 2) {
      found = *r;
      break;
    }
    std::this_thread::sleep_for(20ms);
  }
  REQUIRE(std::set<std::string>(found.begin(), found.end()) == std::set<std::string>{at_a, at_b});
  const auto found_ms = ms_since(t0);

  // Which host each node runs on, in its metadata.
  auto entry = c.registry()->get_service(name);
  REQUIRE(entry.ok());
  std::set<std::string> hosts;
  for (auto& svc : entry.value)
    for (auto& n : svc.nodes)
      hosts.insert(n.meta.count("host") ? n.meta.at("host") : "?");
  CHECK(hosts == std::set<std::string>{"host-a", "host-b"});

  // Called across hosts: both nodes answer.
  std::set<std::string> answered;
  for (int i = 0; i < 200 && answered.size() < 2; ++i)
    answered.insert(whoami_port(c, name, 5s));
  CHECK(answered == std::set<std::string>{a.port, b.port});

  // A stream across hosts.
  auto s = c.stream<json, json>(name, "Test.Stream");
  REQUIRE(s);
  for (int i = 0; i < 3; ++i) {
    REQUIRE(s->send(json{{"i", i}}));
    json reply;
    REQUIRE(s->recv(reply));
    CHECK(reply["echo"]["i"] == i);
  }
  CHECK(s->finish());

  // Pub/sub across hosts: both nodes subscribe, both get the publication.
  auto subscribed_at = [&](const std::string& address) {
    auto log = c.call<json>(name, "Test.Log", json::object(), call_options{}.with_address(address));
    if (!log)
      return false;
    for (auto& ev : *log)
      if (ev.value("event", "") == "publication" && ev["body"].value("from", "") == "c")
        return true;
    return false;
  };
  auto pub0 = steady_clock::now();
  bool delivered = false;
  while (!delivered && steady_clock::now() - pub0 < 20s) {
    // Subscriptions become visible with the registry entry; publish until both have one.
    if (!subscribed_at(at_a) || !subscribed_at(at_b))
      c.publish("test.events", json{{"from", "c"}});
    delivered = subscribed_at(at_a) && subscribed_at(at_b);
    if (!delivered)
      std::this_thread::sleep_for(100ms);
  }
  CHECK(delivered);

  // Host a's link cut: calls go to b. Count what fails until 20 calls in a row succeed.
  link("cut", "a");
  auto cut0 = steady_clock::now();
  int failed = 0, in_a_row = 0, total = 0;
  while (in_a_row < 20 && steady_clock::now() - cut0 < 60s) {
    ++total;
    auto who = whoami_port(c, name, 1s);
    if (who == b.port) {
      ++in_a_row;
    } else {
      ++failed;
      in_a_row = 0;
    }
  }
  REQUIRE(in_a_row == 20);
  const auto settled_ms = ms_since(cut0);
  long long left_ms = -1;
  if (registry == "etcd") {
    // Its lease is no longer renewed: it leaves every client's cache.
    while (steady_clock::now() - cut0 < 20s) {
      auto r = c.resolve(name);
      if (r && r->size() == 1) {
        left_ms = ms_since(cut0);
        break;
      }
      std::this_thread::sleep_for(50ms);
    }
    CHECK(left_ms >= 0);
  }

  // Link restored: a answers again.
  link("heal", "a");
  auto heal0 = steady_clock::now();
  bool back = false;
  while (!back && steady_clock::now() - heal0 < 60s)
    back = whoami_port(c, name, 1s) == a.port;
  CHECK(back);
  std::printf("multihost (%s): both nodes found from host c %lld ms after start; link of a cut -> 20 calls in "
              "a row by b after %lld ms (%d of %d calls failed meanwhile); a gone from the cache after %lld ms "
              "(-1: stays, as mDNS has no goodbye from a cut host); link restored -> a answers again after %lld ms\n",
              registry.c_str(), found_ms, settled_ms, failed, total, left_ms, ms_since(heal0));
}

}  // namespace

TEST_CASE("multihost over mDNS: found, called, streamed and published across hosts, a cut link survived",
          "[mdns]") {
  run_scenario("mdns", {{"MICRO_REGISTRY", "mdns"}, {"MICRO_REGISTRY_ADDRESS", ""}});
}

TEST_CASE("multihost over etcd on host c: found, called, streamed and published across hosts, a cut link "
          "survived",
          "[etcd]") {
  etcd_server etcd{"10.77.0.3"};
  run_scenario("etcd", {{"MICRO_REGISTRY", "etcd"},
                        {"MICRO_REGISTRY_ADDRESS", etcd.url()},
                        {"MICRO_REGISTER_TTL", "3s"},
                        {"MICRO_REGISTER_INTERVAL", "1s"}});
}
