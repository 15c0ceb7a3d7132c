#include "registry/registry.hpp"

#include <set>

namespace micro::registry {

registry::~registry() = default;

status validate_service(const std::string& registry_name, const service& svc) {
  if (svc.name.empty())
    return make_error(errc::invalid_argument, registry_name, "service name is empty");
  const std::string what = "service \"" + svc.name + "\"";
  if (svc.nodes.empty())
    return make_error(errc::invalid_argument, registry_name, what + " has no nodes");
  std::set<std::string> ids;
  for (const auto& n : svc.nodes) {
    if (n.id.empty())
      return make_error(errc::invalid_argument, registry_name,
                        what + " has a node without an id (address \"" + n.address + "\")");
    if (n.address.empty())
      return make_error(errc::invalid_argument, registry_name,
                        what + ": node \"" + n.id + "\" has no address");
    if (!ids.insert(n.id).second)
      return make_error(errc::invalid_argument, registry_name,
                        what + ": node id \"" + n.id + "\" appears twice");
  }
  return {};
}

status validate_deregister(const std::string& registry_name, const service& svc) {
  if (svc.name.empty())
    return make_error(errc::invalid_argument, registry_name,
                      "deregister: service name is empty");
  const std::string what = "deregister service \"" + svc.name + "\"";
  if (svc.nodes.empty())
    return make_error(errc::invalid_argument, registry_name, what + ": no nodes given");
  for (const auto& n : svc.nodes)
    if (n.id.empty())
      return make_error(errc::invalid_argument, registry_name,
                        what + ": a node has no id (address \"" + n.address + "\")");
  return {};
}

}  // namespace micro::registry
