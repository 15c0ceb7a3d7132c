// Helpers of the cross-process discovery tests: mdns servers and clients, and waiting for a
// node to appear in or leave a client's cache.
#pragma once

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "etcd_server.hpp"
#include "harness.hpp"

namespace micro::test {

inline std::string unique(const std::string& base) {
  static int n = 0;
  return base + "-" + std::to_string(::getpid()) + "-" + std::to_string(++n);
}

inline running_server start_mdns_server(const std::string& name) {
  server_config cfg{name};
  cfg.env["MICRO_REGISTRY"] = "mdns";
  cfg.env["MICRO_REGISTRY_ADDRESS"] = "";
  return start_test_server(cfg);
}

inline std::unique_ptr<client> mdns_client() {
  options opts;
  REQUIRE(apply_environment(opts));
  opts.with_registry("mdns");
  return std::make_unique<client>(opts);
}

/// The registry the [any_registry] cases run over: $MICRO_TEST_REGISTRY, "mdns" (the default:
/// the avahi-daemon `make test` runs) or "etcd" (one etcd for this test process, on free
/// loopback ports, started on first use and stopped at exit).
struct registry_under_test {
  std::string name;
  std::string address;
  std::map<std::string, std::string> server_env;  // what its servers need on top
};

inline const registry_under_test& tested_registry() {
  static const registry_under_test tested = [] {
    const char* env = std::getenv("MICRO_TEST_REGISTRY");
    std::string name = env != nullptr && *env != '\0' ? env : "mdns";
    if (name != "etcd")
      return registry_under_test{name, "", {}};
    static etcd_server etcd;
    // Short leases, so a SIGKILLed node leaves within seconds (mDNS: Avahi withdraws at once).
    return registry_under_test{name, etcd.url(), {{"MICRO_REGISTER_TTL", "3s"}, {"MICRO_REGISTER_INTERVAL", "1s"}}};
  }();
  return tested;
}

inline running_server start_registry_server(const std::string& name) {
  const auto& reg = tested_registry();
  server_config cfg{name};
  cfg.env = reg.server_env;
  cfg.env["MICRO_REGISTRY"] = reg.name;
  cfg.env["MICRO_REGISTRY_ADDRESS"] = reg.address;
  return start_test_server(cfg);
}

inline std::unique_ptr<client> registry_client() {
  const auto& reg = tested_registry();
  options opts;
  REQUIRE(apply_environment(opts));
  opts.with_registry(reg.name, reg.address);
  return std::make_unique<client>(opts);
}

inline bool lists(const result<std::vector<std::string>>& r, const std::string& address) {
  return r && std::find(r->begin(), r->end(), address) != r->end();
}

/// Polls the client's cache (cheap) until `address` is listed (want = true) or gone; bounded.
/// Returns the milliseconds it took, or -1.
inline long long await_listed(client& c, const std::string& service, const std::string& address, bool want,
                              milliseconds bound = 10s) {
  auto t0 = steady_clock::now();
  while (steady_clock::now() - t0 < bound) {
    if (lists(c.resolve(service), address) == want)
      return ms_since(t0);
    std::this_thread::sleep_for(2ms);
  }
  return -1;
}

}  // namespace micro::test
