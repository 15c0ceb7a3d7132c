// The mdns registry: DNS-SD over multicast DNS through the local Avahi daemon
// (libavahi-client), go-micro's default registry. Each registered node is one
// service of type `_micro._tcp` named after the node id (an alternative name is
// taken on a collision), with the port of node.address and TXT records that
// carry the model (see mdns_txt.hpp), so `avahi-browse -rt _micro._tcp` shows
// what micro sees.
//
// A browser runs for the registry's whole life: lookups answer from what it
// has found, after a short settle at start-up (not a fixed wait per call).
// Registrations and lookups never wait for the network. Nodes disappear when
// they deregister or their process exits (Avahi withdraws its services), so
// register_options::ttl is not needed here and is ignored.
// If the daemon restarts, the registry reconnects and re-publishes its nodes.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "registry/registry.hpp"

namespace micro::registry {

struct mdns_options {
  // How long a lookup may wait, after the registry starts, for the first
  // browse to settle (Avahi's "all for now" and the pending resolves).
  std::chrono::milliseconds settle_timeout{2000};
  // Events a watcher may have pending before it is stopped as overflowed.
  std::size_t watch_queue_capacity = 1024;
};

class mdns_registry final : public registry {
 public:
  // unavailable, with a message saying how to start a daemon, when no Avahi
  // daemon answers.
  static result<std::shared_ptr<mdns_registry>> open(mdns_options opts = {});

  ~mdns_registry() override;  // withdraws what it published, stops all watchers

  mdns_registry(const mdns_registry&) = delete;
  mdns_registry& operator=(const mdns_registry&) = delete;

  std::string name() const override;
  status register_service(const service& svc, const register_options& opts = {}) override;
  status deregister_service(const service& svc) override;
  result<std::vector<service>> get_service(const std::string& name) override;
  service_snapshot get_service_snapshot(const std::string& name) override;
  result<std::vector<service>> list_services() override;
  std::unique_ptr<watcher> watch(const std::string& service_name = {}) override;
  bool resolves_unspecified_host() const override { return true; }

  // The DNS-SD instance names this registry currently publishes (after any
  // collision renames), for diagnostics and tests.
  std::vector<std::string> published_names();

  struct state;

 private:
  explicit mdns_registry(std::unique_ptr<state> s);
  std::unique_ptr<state> state_;
};

}  // namespace micro::registry
