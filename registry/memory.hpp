// In-process registry: name -> version -> nodes, each node with a TTL. For
// tests, single-process setups and as the model the other backends follow.
//
// Where it differs from go-micro's memory registry, on purpose:
// - a new (name, version) sends `create` (go-micro always sends `update`);
// - TTL expiry sends `update`/`delete` like a deregistration (go-micro prunes
//   silently, so watchers keep routing to dead nodes until their cache expires);
// - a slow watcher is never fed a partial stream: when its queue is full it is
//   stopped and marked overflowed (go-micro drops the event after 10 ms).
// Re-registering a known node with the same content only refreshes its TTL
// (no event); a changed address/metadata, or changed service metadata or
// endpoints, sends `update`.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "registry/registry.hpp"

namespace micro::registry {

struct memory_options {
  // Events a watcher may have pending before it is stopped as overflowed.
  std::size_t watch_queue_capacity = 1024;
};

class memory_registry final : public registry {
 public:
  explicit memory_registry(memory_options opts = {});
  ~memory_registry() override;  // stops the pruner, stops all watchers

  memory_registry(const memory_registry&) = delete;
  memory_registry& operator=(const memory_registry&) = delete;

  // The process-wide instance called `instance` ("" = the default one), created
  // on first use and kept until exit. This is how several users in one process
  // (services, clients, the CLI in tests) share a registry. For an isolated one,
  // construct a memory_registry directly (std::make_shared<memory_registry>()).
  static std::shared_ptr<memory_registry> shared(const std::string& instance = {});

  std::string name() const override;
  status register_service(const service& svc, const register_options& opts = {}) override;
  status deregister_service(const service& svc) override;
  result<std::vector<service>> get_service(const std::string& name) override;
  service_snapshot get_service_snapshot(const std::string& name) override;
  result<std::vector<service>> list_services() override;
  std::unique_ptr<watcher> watch(const std::string& service_name = {}) override;

 private:
  struct state;
  std::unique_ptr<state> state_;
};

}  // namespace micro::registry
