#pragma once
// The client actor: one per process. It owns the connections to remote nodes and the selector
// (actors/selector.hpp), sends each attempt with the time left before the call's deadline, marks
// every outcome, retries what its plan allows on another node, and fails every pending attempt
// to a node the moment CAF reports it down (CAF 0.17 never completes such a request by itself:
// docs/caf-0.17.md, pitfall 1).

#include <memory>
#include <string>
#include <vector>

#include "transport/transport.hpp"
#include "actors/atoms.hpp"
#include "actors/call_plan.hpp"
#include "actors/shared_selector.hpp"
#include "caf/actor.hpp"
#include "caf/fwd.hpp"

namespace micro::actors {

using reset_atom = caf::atom_constant<caf::atom("m_reset")>;
using node_handle_atom = caf::atom_constant<caf::atom("m_nodeh")>;

/// Messages:
/// - `(call_atom, call_plan, request)` -> `response`. Failures become error responses: 503 (no
///   node reachable, node down), 408 (deadline), or the node's own error.
/// - `(stream_open_atom, call_plan, request, uint32_t window, int64_t stream_timeout_ns, caf::actor
///   end)` -> `response`: opens a stream for the client endpoint `end` on a node chosen like a
///   call's (actors/stream_endpoint.hpp); code 0 once the server's endpoint said hello to `end`.
/// - `(reset_atom, std::vector<std::string> addresses)`: forget those nodes' marks.
/// - `(node_handle_atom, std::string address)` -> `caf::actor`: the node actor at `address`,
///   over the process's one connection to it (for the broker actor).
/// `selector`: the process's, shared with the direct path (actors/direct_calls.hpp), which carries
/// the calls whose every candidate takes them over a byte transport; this actor carries the rest.
/// `transports`: limits and TLS of the byte transports (tcp, memory) it dials.
caf::actor spawn_client_actor(caf::actor_system& sys, std::shared_ptr<shared_selector> selector,
                              transport::transport_options transports = {});

/// Splits "host:port"; false if malformed.
bool split_host_port(const std::string& address, std::string& host, uint16_t& port);

}  // namespace micro::actors
