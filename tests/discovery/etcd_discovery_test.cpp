// Discovery through etcd when etcd itself goes away: servers keep serving and say so in
// Debug.Health, clients keep their cache, and once etcd is back new nodes are found again
// through the re-opened watch.
#include <catch2/catch.hpp>

#include "discovery_helpers.hpp"

using namespace micro;
using namespace micro::test;

namespace {

running_server start_etcd_server(const std::string& name, const etcd_server& etcd) {
  server_config cfg{name};
  cfg.env = {{"MICRO_REGISTRY", "etcd"}, {"MICRO_REGISTRY_ADDRESS", etcd.url()},
             {"MICRO_REGISTER_TTL", "3s"}, {"MICRO_REGISTER_INTERVAL", "1s"}};
  return start_test_server(cfg);
}

json health_of(client& c, const running_server& s) {
  auto r = c.call<json>(s.name, "Debug.Health", json::object(), call_options{}.with_address(s.address));
  return r ? *r : json{{"call_failed", r.error().to_json()}};
}

template <class Cond>
long long await(Cond cond, milliseconds bound = 10s) {
  auto t0 = steady_clock::now();
  while (steady_clock::now() - t0 < bound) {
    if (cond())
      return ms_since(t0);
    std::this_thread::sleep_for(20ms);
  }
  return -1;
}

}  // namespace

TEST_CASE("discovery: etcd down and back, servers keep serving and new nodes are found again",
          "[discovery][etcd]") {
  etcd_server etcd;
  options opts;
  REQUIRE(apply_environment(opts));
  opts.with_registry("etcd", etcd.url());
  client c{opts};
  const auto name = unique("disc-etcd");
  auto a = start_etcd_server(name, etcd);
  REQUIRE(await_listed(c, name, a.address, true) >= 0);
  connect_to(c, a);
  auto healthy = health_of(c, a);
  INFO(healthy.dump());
  CHECK(healthy.value("status", "") == "ok");
  CHECK(healthy.value("registry", "") == "etcd");

  etcd.stop();
  auto degraded_ms = await([&] { return health_of(c, a).value("status", "") == "degraded"; });
  REQUIRE(degraded_ms >= 0);
  auto degraded = health_of(c, a);
  INFO(degraded.dump());
  CHECK(degraded.value("registry_error", "").find("etcd") != std::string::npos);
  // The node stays in the client's cache and answers while the registry is away.
  CHECK(c.call<json>(name, "Test.Count", json::object()));

  etcd.start();
  REQUIRE(await([&] { return health_of(c, a).value("status", "") == "ok"; }) >= 0);
  auto t0 = steady_clock::now();
  auto b = start_etcd_server(name, etcd);
  auto found_ms = await_listed(c, name, b.address, true);
  REQUIRE(found_ms >= 0);
  CHECK(lists(c.resolve(name), a.address));
  std::printf("discovery (etcd): etcd down -> server health degraded: %lld ms; etcd back, new node "
              "started -> in the client's cache: %lld ms\n",
              degraded_ms, ms_since(t0));
}
