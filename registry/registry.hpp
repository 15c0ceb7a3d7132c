// The registry interface (go-micro's registry.Registry): where services say
// which nodes serve them, and where clients find those nodes. Backends:
// memory.hpp, static.hpp, mdns.hpp, etcd.hpp. One include gives the whole
// interface plus the factory.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "registry/model.hpp"
#include "registry/status.hpp"
#include "registry/watcher.hpp"

namespace micro::registry {

// A lookup, and where it stands among the backend's watch events: it reflects
// every event with revision <= `revision` and none after. 0: the backend does
// not number its events, so they cannot be ordered against the lookup.
struct service_snapshot {
  result<std::vector<service>> services;
  std::uint64_t revision = 0;
};

struct register_options {
  // A node not re-registered within `ttl` is dropped by backends that keep
  // TTLs (memory). 0 = never expires. micro re-registers every 30 s.
  std::chrono::seconds ttl{90};
};

// All methods are thread-safe. Errors are values whose message names the
// registry and what was asked.
class registry {
 public:
  virtual ~registry();

  // "memory", "static", "mdns", "etcd".
  virtual std::string name() const = 0;

  // Adds or refreshes the nodes in `svc` under (svc.name, svc.version). Service
  // metadata and endpoints are replaced by the latest registration.
  // invalid_argument: empty name, no nodes, a node without id or address.
  virtual status register_service(const service& svc, const register_options& opts = {}) = 0;

  // Removes the nodes in `svc` (matched by id) from (svc.name, svc.version); the
  // version is gone when no nodes remain. Unknown nodes/services are not an
  // error (the desired state already holds, e.g. after TTL expiry).
  virtual status deregister_service(const service& svc) = 0;

  // One entry per version, with its nodes. not_found if there is none.
  virtual result<std::vector<service>> get_service(const std::string& name) = 0;

  // get_service, and the revision of the last event its answer reflects, read
  // atomically with it. A consumer that applies watch events on top of a lookup
  // skips those with revision <= this one: they are older than the lookup.
  // Backends that number their events (memory, mdns) override it.
  virtual service_snapshot get_service_snapshot(const std::string& name) { return {get_service(name), 0}; }

  // One entry per (name, version). Nodes may be empty: use get_service for them.
  virtual result<std::vector<service>> list_services() = 0;

  // True if the backend fills in a node address of "0.0.0.0:port" itself, per interface it
  // publishes on (mdns: what Avahi resolves). Otherwise the service picks an address to register.
  virtual bool resolves_unspecified_host() const { return false; }

  // Whether the backend could be reached the last time it tried, without asking it again
  // (cheap: Debug.Health calls it). ok by default; etcd answers its last failure until etcd
  // answers again.
  virtual status health() { return {}; }

  // Events about `service_name`, or about every service when empty. Changes
  // before the call are not replayed: watch first, then read, then apply.
  virtual std::unique_ptr<watcher> watch(const std::string& service_name = {}) = 0;
};

// The checks every backend applies in register_service: non-empty name, at
// least one node, every node with an id (unique) and an address.
// `registry_name` prefixes the message.
status validate_service(const std::string& registry_name, const service& svc);

// The checks for deregister_service: non-empty name, at least one node, every
// node with an id (the address is not needed to remove a node).
status validate_deregister(const std::string& registry_name, const service& svc);

// Builds a backend by name:
// - "memory": address "" = the process-wide instance (memory_registry::shared());
//   any other address names a separate process-wide instance (handy for tests).
// - "static": address in MICRO_REGISTRY_ADDRESS syntax,
//   "name=host:port[;idempotent=Endpoint],name=host:port,..." (see static.hpp).
// - "mdns": the address is unused (the local Avahi daemon).
// - "etcd": "http://host:2379[,http://host:2379...]", "" = http://127.0.0.1:2379.
// Unknown name -> invalid_argument listing the known ones.
result<std::shared_ptr<registry>> make_registry(const std::string& name,
                                                const std::string& address = {});

}  // namespace micro::registry
