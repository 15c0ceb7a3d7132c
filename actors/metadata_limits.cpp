#include "actors/metadata_limits.hpp"

namespace micro::actors {

std::string check_metadata(const std::map<std::string, std::string>& m, const metadata_limits& limits) {
  if (m.size() > limits.max_entries)
    return "metadata has " + std::to_string(m.size()) + " entries, limit " + std::to_string(limits.max_entries);
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
