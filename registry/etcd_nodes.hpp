// How the etcd registry lays out its keys and values, and the table of nodes it keeps from a
// watch. The layout is go-micro's, so go-micro's tools and micro's read each other's entries:
//   key   /micro/registry/<service name, '/' replaced by '-'>/<node id>
//   value a go-micro registry.Service as JSON, with exactly one node: that key's node
//         (endpoint request/response as go-micro Value objects {"name","type"}).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "registry/model.hpp"
#include "registry/watcher.hpp"

namespace micro::registry {

extern const std::string etcd_prefix;  // "/micro/registry/"

std::string etcd_service_prefix(const std::string& service_name);
std::string etcd_node_key(const std::string& service_name, const std::string& node_id);
// The range end that covers every key starting with `prefix` (etcd's range_end).
std::string etcd_prefix_end(std::string prefix);

// `svc` with only node `n`, as go-micro writes it.
std::string encode_etcd_value(const service& svc, const node& n);
// The one-node service in a value; nullopt if it is not JSON of that shape (no name, not
// exactly one node, a node without id or address). Values come from the network.
std::optional<service> decode_etcd_value(const std::string& value);

// Entries (one node each, keyed by etcd key) merged into one service per (name, version),
// nodes sorted by id; metadata and endpoints are those of the entry written last.
struct etcd_entry {
  service svc;  // exactly one node
  std::uint64_t revision = 0;
};
std::vector<service> group_etcd_entries(const std::map<std::string, etcd_entry>& entries,
                                        const std::string& only_service = {});

// What a watcher has seen of etcd. Each change returns the registry events it causes: per
// (name, version) a create, update or remove with the whole version after the change, like
// the other backends.
class etcd_node_table {
 public:
  std::vector<event> put(const std::string& key, etcd_entry entry);
  std::vector<event> remove(const std::string& key, std::uint64_t revision);
  // After a reconnect: replaces everything with a fresh read, and returns the events for what
  // changed while the watch was down.
  std::vector<event> reset(std::map<std::string, etcd_entry> entries, std::uint64_t revision);
  const std::map<std::string, etcd_entry>& entries() const { return entries_; }

 private:
  using group_key = std::pair<std::string, std::string>;  // (name, version)
  std::vector<event> apply(std::map<std::string, std::optional<etcd_entry>> changes,
                           std::uint64_t revision);
  std::map<std::string, etcd_entry> entries_;
};

}  // namespace micro::registry
