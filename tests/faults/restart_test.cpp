// Daemons restarted under live services. Hidden ([.]): they stop what other tests use, so
// CMakeLists runs them alone (faults.restarts, RUN_SERIAL).
//   avahi-daemon: the services re-publish, a client made before sees nodes started after, and a
//     fresh client finds the nodes started before. MICRO_AVAHI_RESTART says how to restart it
//     (exit 3: not ours to restart, the test stops there with a warning).
//   nats-server: a subscription made before is served again after; meanwhile an acknowledged
//     publish fails with a code and an asynchronous one is counted as failed, never blocking.
// (nats-server killed mid-publish at the backend level: tests/broker/nats_test.cpp.)
#include <sys/wait.h>

#include <cstdlib>

#include <catch2/catch.hpp>

#include "nats_server.hpp"
#include "stream_helpers.hpp"
#include "resilience_helpers.hpp"

using namespace micro::test;

namespace {

// Polls until `address` is among `svc`'s nodes in `c`'s registry cache (an observable state).
bool sees(micro::client& c, const std::string& svc, const std::string& address, milliseconds bound = 15s) {
  auto t0 = steady_clock::now();
  while (!lists_address(c.resolve(svc), address)) {
    if (steady_clock::now() - t0 > bound)
      return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

std::unique_ptr<micro::client> mdns_client() {
  micro::options opts;
  REQUIRE(micro::apply_environment(opts));
  opts.with_registry("mdns");
  return std::make_unique<micro::client>(opts);
}

// The publications the test server's "test.events" subscriber logged, by their "n".
std::vector<std::string> logged(micro::client& c, const std::string& svc) {
  std::vector<std::string> out;
  auto log = c.call<json>(svc, "Test.Log", json::object());
  if (log && log->is_array())
    for (auto& e : *log)
      if (e.value("event", "") == "publication")
        out.push_back(e["body"].value("n", ""));
  return out;
}

bool logged_has(micro::client& c, const std::string& svc, const std::string& n) {
  auto all = logged(c, svc);
  return std::find(all.begin(), all.end(), n) != all.end();
}

}  // namespace

TEST_CASE("avahi-daemon restarted under live services", "[.][restart][mdns]") {
  const char* restart = std::getenv("MICRO_AVAHI_RESTART");
  REQUIRE(restart != nullptr);
  auto c = start_mdns_cluster(unique_service("avahi-restart"), 1);
  auto before = mdns_cluster_client(c);

  const int rc = std::system(restart);
  if (WIFEXITED(rc) && WEXITSTATUS(rc) == 3) {
    WARN("the daemon was not started by scripts/avahi: not restarting it");
    return;
  }
  REQUIRE(rc == 0);
  auto t0 = steady_clock::now();
  // A node started after the restart reaches the client made before it (its browse came back)...
  auto late = start_mdns_cluster(c.name, 1);
  CHECK(sees(*before, c.name, late.nodes[0].address));
  // ...and the node started before it is published again: a fresh client finds it.
  auto fresh = mdns_client();
  CHECK(sees(*fresh, c.name, c.nodes[0].address));
  std::printf("faults: both nodes seen again %lld ms after the avahi-daemon restart\n", ms_since(t0));
  // Both answer calls made through the registry.
  for (auto* n : {&c.nodes[0], &late.nodes[0]}) {
    auto r = whoami(*fresh, c.name, micro::call_options{}.with_address(n->address));
    INFO(n->address);
    CHECK(r);
  }
}

TEST_CASE("nats-server restarted under a live subscriber and publisher", "[.][restart][nats]") {
  if (find_nats_server().empty()) {
    WARN("no nats-server installed (scripts/install-deps installs it): skipping");
    return;
  }
  auto nats = std::make_unique<nats_server>();
  const int port = nats->port();
  const auto url = nats->url();
  server_config cfg{unique_service("nats-restart")};
  cfg.env = {{"MICRO_BROKER", "nats"}, {"MICRO_BROKER_ADDRESS", url}, {"TEST_PUBSUB_STREAM", "1"}};
  auto sub = start_test_server(cfg);
  micro::options opts;
  REQUIRE(micro::apply_environment(opts));
  opts.with_registry("static", sub.entry());
  opts.broker = "nats";
  opts.broker_address = url;
  micro::client pub{opts};
  connect_to(pub, sub);
  const auto acknowledged = micro::publish_options{}.with_mode(micro::delivery::acknowledged).with_timeout(2s);

  REQUIRE(pub.publish("test.events", json{{"n", "before"}}, acknowledged));
  REQUIRE(eventually([&] { return logged_has(pub, sub.name, "before"); }));

  nats->kill();
  nats.reset();
  // Down: an acknowledged publish fails with a code, in bounded time...
  auto t0 = steady_clock::now();
  auto st = pub.publish("test.events", json{{"n", "lost-ack"}}, acknowledged);
  REQUIRE_FALSE(st);
  INFO(st.error().to_json());
  CHECK((st.error().code == 503 || st.error().code == 408));
  CHECK(steady_clock::now() - t0 < 5s);
  // ...and an asynchronous one returns at once and is counted as failed (over NATS it is settled
  // at once: libnats reports no later outcome per message, so the caller also gets the 503).
  auto failed_before = pub.publications().failed;
  t0 = steady_clock::now();
  auto async_st = pub.publish("test.events", json{{"n", "lost-async"}});
  CHECK(steady_clock::now() - t0 < 1s);
  if (!async_st)
    CHECK(async_st.error().code == 503);
  CHECK(eventually([&] { return pub.publications().failed > failed_before; }));

  // Back on the same port: both connections return and the subscription is made again.
  nats_server again{port};
  t0 = steady_clock::now();
  bool delivered = false;
  while (!delivered && steady_clock::now() - t0 < 20s) {
    if (pub.publish("test.events", json{{"n", "after"}}, acknowledged))
      delivered = eventually([&] { return logged_has(pub, sub.name, "after"); }, 500ms);
    else
      std::this_thread::sleep_for(50ms);
  }
  std::printf("faults: publications delivered again %lld ms after nats-server came back\n", ms_since(t0));
  CHECK(delivered);
  CHECK_FALSE(logged_has(pub, sub.name, "lost-async"));
}
