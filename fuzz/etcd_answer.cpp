// The etcd registry's reading of etcd's JSON gateway: a range answer or a watch message, in
// which keys and values are base64 and integers are strings (registry/etcd_answers). Any JSON
// shape must be read without an exception (a throw on the watch thread ends the process).
// Property: every key/value that decodes has a one-node service, and nothing throws.
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "fuzz/check.hpp"
#include "registry/etcd_answers.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace micro::registry;
  auto j = nlohmann::json::parse(data, data + size, nullptr, false);
  if (j.is_discarded())
    return 0;
  for (const auto& kv : decode_etcd_range(j))
    FUZZ_CHECK(!kv.entry || kv.entry->svc.nodes.size() == 1);
  auto message = decode_etcd_watch_message(j);
  for (const auto& change : message.changes)
    FUZZ_CHECK(!change.kv || !change.kv->entry || change.kv->entry->svc.nodes.size() == 1);
  static_cast<void>(etcd_header_revision(j));
  static_cast<void>(etcd_string_field(j, "error"));
  return 0;
}
