#pragma once
// Unary calls to nodes that take them over CAF (BASP), for the direct path
// (actors/direct_calls.hpp): each attempt goes from the caller's thread straight to the remote
// node actor, and its reply comes back to a companion actor whose mailbox is a callback
// (caf::actor_companion), run on the thread that delivers it (the middleman's). Per call on the
// client: caller -> middleman -> caller, as a raw CAF request from a scoped actor; the client
// actor's path was caller -> client actor -> middleman -> client actor -> caller.
//
// The connection stays the client actor's (it dials through the BASP guard, with TLS, and
// retries a connect that timed out): this carrier asks it once per node for the node actor's
// handle and watches that handle, so an attempt under way when its node goes down ends at once
// (CAF 0.17 never fails a request to a lost node by itself: docs/caf-0.17.md, pitfall 1).

#include <memory>

#include "actors/call_carrier.hpp"
#include "caf/actor.hpp"
#include "caf/fwd.hpp"

namespace micro::actors {

/// `client_actor` answers `(node_handle_atom, address)` (actors/client_actor.hpp). Outcomes:
/// answered (the node's response), not_delivered (no connection, or the node went down before the
/// attempt was sent), lost (the node went down, or CAF failed the request, after it was sent).
std::unique_ptr<call_carrier> make_caf_carrier(caf::actor_system& sys, caf::actor client_actor,
                                               outcome_handler on_outcome);

}  // namespace micro::actors
