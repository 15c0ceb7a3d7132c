// Reading the answers of etcd's JSON gateway: range results and watch messages. They come from
// the network (an etcd server, or anyone who can write under the registry prefix), so any JSON
// shape is read without throwing: a field of the wrong type reads as missing.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "registry/etcd_nodes.hpp"

namespace micro::registry {

// The gateway writes int64 fields as JSON strings ("revision": "42"); numbers are read too.
// 0 when missing, of another type or not a number.
std::int64_t etcd_int_field(const nlohmann::json& j, const char* key);
// "" when missing or not a string.
std::string etcd_string_field(const nlohmann::json& j, const char* key);
// answer.header.revision, or 0.
std::uint64_t etcd_header_revision(const nlohmann::json& answer);

struct etcd_kv {
  std::string key;
  std::optional<etcd_entry> entry;  // nullopt: the value is not a go-micro entry with one node
};

// One key/value (a range's "kvs" item, a watch event's "kv"); nullopt when the key or the
// value is not base64.
std::optional<etcd_kv> decode_etcd_kv(const nlohmann::json& kv);
// Every key/value of a range answer.
std::vector<etcd_kv> decode_etcd_range(const nlohmann::json& answer);

struct etcd_watch_change {
  bool deleted = false;
  std::optional<etcd_kv> kv;  // nullopt: unreadable key (or value, for a put)
  std::uint64_t revision = 0;
};

struct etcd_watch_message {
  bool canceled = false;  // etcd cancelled the watch (compaction): read everything again
  std::string cancel_reason;
  std::vector<etcd_watch_change> changes;
  std::uint64_t header_revision = 0;
};

// One message of the watch stream ({"result": {...}}); no changes when it has no result.
etcd_watch_message decode_etcd_watch_message(const nlohmann::json& message);

}  // namespace micro::registry
