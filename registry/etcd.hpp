// The etcd registry (MICRO_REGISTRY=etcd, MICRO_REGISTRY_ADDRESS=http://host:2379,...): for
// clusters that outgrow one LAN's multicast, go-micro's answer beyond mDNS. Keys and values
// are go-micro's (etcd_nodes.hpp), so either side's tools read the other's entries.
//
// - register: one key per node, attached to a lease of register_options::ttl. Re-registering
//   (micro does it every register_interval) renews the lease, and puts the value again only
//   when it changed or the lease was lost (TTL expired while the process was stopped, etcd
//   wiped): then a new lease is granted.
// - watch: one watch stream over the whole prefix per registry, started by the first watch()
//   (seeded synchronously, so "watch, then read" misses nothing), feeding every watcher. If the
//   stream breaks (etcd restarted, unreachable, compacted), it reconnects, reads everything
//   again and sends the events for what changed meanwhile; nodes of this process found missing
//   then are put back at once rather than at the next re-registration.
// - health(): the last failure to reach etcd, until etcd answers again; it shows in
//   Debug.Health and the logs.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "registry/etcd_client.hpp"
#include "registry/etcd_watch.hpp"
#include "registry/registry.hpp"

namespace micro::registry {

struct etcd_options {
  etcd_client_options client;
  etcd_watch_options watch;
  // Wait between attempts to re-open a broken watch.
  std::chrono::milliseconds reconnect_delay{500};
  // Events a watcher may have pending before it is stopped as overflowed.
  std::size_t watch_queue_capacity = 1024;
};

class etcd_registry final : public registry {
 public:
  // invalid_argument for a malformed address (parse_etcd_endpoints). etcd need not be up yet:
  // calls fail with `unavailable` until it is, and the watch connects when it can.
  static result<std::shared_ptr<etcd_registry>> open(const std::string& address, etcd_options opts = {});

  ~etcd_registry() override;  // stops the watch; registered keys stay until their lease ends

  etcd_registry(const etcd_registry&) = delete;
  etcd_registry& operator=(const etcd_registry&) = delete;

  std::string name() const override;
  status register_service(const service& svc, const register_options& opts = {}) override;
  status deregister_service(const service& svc) override;
  result<std::vector<service>> get_service(const std::string& name) override;
  service_snapshot get_service_snapshot(const std::string& name) override;
  result<std::vector<service>> list_services() override;
  std::unique_ptr<watcher> watch(const std::string& service_name = {}) override;
  status health() override;

  struct state;

 private:
  explicit etcd_registry(std::unique_ptr<state> s);
  std::unique_ptr<state> state_;
};

}  // namespace micro::registry
