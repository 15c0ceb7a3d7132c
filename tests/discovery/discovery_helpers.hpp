// Helpers of the cross-process discovery tests: mdns servers and clients, and waiting for a
// node to appear in or leave a client's cache.
#pragma once

#include <unistd.h>

#include <algorithm>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

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
