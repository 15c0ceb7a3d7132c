#include "registry/limits.hpp"

#include <string>

namespace micro::registry {

namespace {

struct checker {
  const entry_limits& limits;
  std::string why;

  bool count(const char* what, std::size_t n, std::size_t max) {
    if (why.empty() && n > max)
      why = std::to_string(n) + " " + what + " (limit " + std::to_string(max) + ")";
    return why.empty();
  }

  bool size(const char* what, const std::string& s, std::size_t max) {
    if (why.empty() && s.size() > max)
      why = std::string{what} + " of " + std::to_string(s.size()) + " bytes (limit " + std::to_string(max) + ")";
    return why.empty();
  }

  bool names(const char* what, const std::string& s) { return size(what, s, limits.max_name_size); }

  bool meta(const char* what, const metadata& m) {
    if (!count(what, m.size(), limits.max_metadata_entries))
      return false;
    for (const auto& [k, v] : m)
      if (!size("a metadata key", k, limits.max_key_size) || !size("a metadata value", v, limits.max_value_size))
        return false;
    return true;
  }
};

}  // namespace

status check_entry_limits(const std::string& registry_name, const service& svc, const entry_limits& limits) {
  checker c{limits, {}};
  c.names("service name", svc.name) && c.names("version", svc.version) &&
    c.meta("service metadata entries", svc.meta) && c.count("nodes", svc.nodes.size(), limits.max_nodes) &&
    c.count("endpoints", svc.endpoints.size(), limits.max_endpoints);
  for (const auto& n : svc.nodes)
    c.names("node id", n.id) && c.names("node address", n.address) && c.meta("node metadata entries", n.meta);
  for (const auto& e : svc.endpoints)
    c.names("endpoint name", e.name) && c.names("request type", e.request) &&
      c.names("response type", e.response) && c.meta("endpoint metadata entries", e.meta);
  if (c.why.empty())
    return {};
  std::string name = svc.name.size() > 64 ? svc.name.substr(0, 64) + "..." : svc.name;
  return make_error(errc::too_large, registry_name, "entry of service \"" + name + "\" dropped: " + c.why);
}

}  // namespace micro::registry
