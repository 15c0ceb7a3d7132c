// make_registry(): the one place that maps a backend name to a backend, so the
// service options, the CLI and MICRO_REGISTRY all accept the same names.
#include "registry/etcd.hpp"
#include "registry/mdns.hpp"
#include "registry/memory.hpp"
#include "registry/registry.hpp"
#include "registry/static.hpp"

namespace micro::registry {

result<std::shared_ptr<registry>> make_registry(const std::string& name,
                                                const std::string& address) {
  if (name == "memory") return {{}, memory_registry::shared(address)};
  if (name == "static") {
    auto r = static_registry::from_address(address);
    return {r.st, r.value};
  }
  if (name == "mdns") {
    // The address is unused: mdns finds the local Avahi daemon on the system bus.
    auto r = mdns_registry::open();
    return {r.st, r.value};
  }
  if (name == "etcd") {
    auto r = etcd_registry::open(address);
    return {r.st, r.value};
  }
  return {status{errc::invalid_argument,
                 "registry: unknown registry \"" + name + "\" (known: memory, static, mdns, etcd)"},
          nullptr};
}

}  // namespace micro::registry
