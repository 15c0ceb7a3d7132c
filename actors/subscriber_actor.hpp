#pragma once
// A subscription's runner: a detached actor (a thread of its own) that runs the subscription's
// handler for each publication, one at a time and in arrival order, and tells the broker when
// each is done (that frees its window, and carries the outcome for `ack` subscriptions).

#include <cstdint>

#include "actors/atoms.hpp"
#include "actors/broker_actor.hpp"
#include "caf/actor.hpp"
#include "caf/fwd.hpp"

namespace micro::actors {

using deliver_atom = caf::atom_constant<caf::atom("m_deliver")>;

/// Messages: `(deliver_atom, uint64_t sub_id, uint64_t batch_id, uint32_t index, publication)`;
/// answers the broker with `(done_atom, sub_id, batch_id, index, publish_ack)`.
caf::actor spawn_subscriber_actor(caf::actor_system& sys, caf::actor broker, subscription_handler handler);

}  // namespace micro::actors
