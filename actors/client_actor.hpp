#pragma once
// The client actor: one per process. It owns the connections to remote nodes, sends requests
// with a timeout, and fails every pending call to a node the moment CAF reports it down
// (CAF 0.17 never completes such a request by itself: caf-0.17 note, pitfall 1).

#include <string>
#include <vector>

#include "caf/actor.hpp"
#include "caf/fwd.hpp"

namespace micro::actors {

/// Messages: `(call_atom, std::vector<std::string> candidate_addresses, request)` -> `response`.
/// The first attempt goes to a random candidate; a candidate that cannot be connected to is
/// replaced by another one (the request was never delivered, so this is always safe).
/// Failures become error responses: 503 (no node reachable, node down), 408 (timeout).
caf::actor spawn_client_actor(caf::actor_system& sys);

/// Splits "host:port"; false if malformed.
bool split_host_port(const std::string& address, std::string& host, uint16_t& port);

}  // namespace micro::actors
