#include "actors/metadata_limits.hpp"

namespace micro::actors {

std::string check_metadata(const std::map<std::string, std::string>& m, const metadata_limits& limits) {
  // The trace context micro adds to every call does not use up the caller's entries: a caller
  // that sets max_entries of its own is within the limit. Its size is still checked below.
  auto entries = m.size() - m.count(traceparent_key) - m.count(tracestate_key);
  if (entries > limits.max_entries)
    return "metadata has " + std::to_string(entries) + " entries, limit " + std::to_string(limits.max_entries);
  for (const auto& [k, v] : m) {
    if (k.size() > limits.max_key_size)
      return "a metadata key of " + std::to_string(k.size()) + " bytes, limit " + std::to_string(limits.max_key_size);
    if (v.size() > limits.max_value_size)
      return "metadata \"" + k + "\" has a value of " + std::to_string(v.size()) + " bytes, limit " +
             std::to_string(limits.max_value_size);
  }
  return {};
}

}  // namespace micro::actors
