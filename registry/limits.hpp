// What one registry entry read from the network may hold. mDNS TXT records come from any host on
// the LAN and etcd values from anyone who can write under the prefix; every node keeps what they
// announce in its cache and hands it to every selector. An entry past a limit is dropped with
// errc::too_large and one log line; the other entries are read as usual.
#pragma once

#include <cstddef>

#include "registry/model.hpp"
#include "registry/status.hpp"

namespace micro::registry {

struct entry_limits {
  std::size_t max_nodes = 1;               // mDNS and etcd carry one node per record or key
  std::size_t max_endpoints = 1024;        // per entry
  std::size_t max_metadata_entries = 128;  // per map: the service's, the node's, each endpoint's
  std::size_t max_name_size = 1024;        // a service, version, node id, address, endpoint or type name
  std::size_t max_key_size = 256;          // a metadata key
  std::size_t max_value_size = 16384;      // a metadata value
};

// ok, or too_large naming the registry, the entry and the first limit it exceeds.
status check_entry_limits(const std::string& registry_name, const service& svc, const entry_limits& limits = {});

}  // namespace micro::registry
