#pragma once
// `micro api` as a real process for the tests, in front of servers on a static registry.

#include <memory>
#include <string>
#include <vector>

#include "harness.hpp"

namespace micro::test {

struct running_gateway {
  std::unique_ptr<process> proc;
  std::string url;  // "http://127.0.0.1:PORT"
};

/// Starts `micro api --address 127.0.0.1:0 ARGS` with a static registry of `registry_address`;
/// waits until it prints its URL.
running_gateway start_gateway(const std::string& registry_address, std::vector<std::string> args = {});
/// The same over mDNS (the Avahi daemon the suite runs with).
running_gateway start_mdns_gateway(std::vector<std::string> args = {});

}  // namespace micro::test
