#pragma once
// The node actor: one per service, the only actor published by the middleman (on the service
// address). It hands each request to the call gate of the service named `request.service`,
// stream opens to that service's actor, and publications to the process's broker actor.

#include <cstdint>
#include <string>

#include "caf/actor.hpp"
#include "caf/fwd.hpp"

namespace micro::actors {

/// Messages: `request` -> `response` (to the service's call gate, 404 if none);
/// `(stream_open_atom, request, window, stream_timeout_ns, client_end)` -> `response` (delegated
/// to the service actor, see actors/stream_endpoint.hpp);
/// `(publish_atom, std::vector<publication>)` -> `publish_ack` (delegated to `broker`);
/// `(add_atom, name, service_actor, std::shared_ptr<call_gate>)` adds a service; the node monitors
/// its actor and forgets it when it exits.
caf::actor spawn_node_actor(caf::actor_system& sys, caf::actor broker);

/// Outcome of publishing: the bound port, or an error text.
struct publish_result {
  uint16_t port = 0;
  std::string error;
  bool ok() const noexcept { return error.empty(); }
};

/// Publishes `node` on host:port (port 0 = any free port; host "" or "0.0.0.0" = all interfaces).
publish_result publish_node(caf::actor_system& sys, const caf::actor& node, const std::string& host,
                            uint16_t port);

void unpublish_node(caf::actor_system& sys, const caf::actor& node);

}  // namespace micro::actors
