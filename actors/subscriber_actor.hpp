#pragma once
// A subscription's runner: a detached actor (a thread of its own) that runs the subscription's
// handler for each publication, one at a time and in arrival order, and tells the broker when
// they are done (that frees its window, and carries the outcome for `ack` subscriptions).
// Publications come many per message and their outcomes go back many per message: one
// message each way per publication was the receiving node's main cost (a thread wake-up each).

#include <cstdint>
#include <vector>

#include "actors/atoms.hpp"
#include "actors/broker_actor.hpp"
#include "caf/actor.hpp"
#include "caf/fwd.hpp"

namespace micro::actors {

using deliver_atom = caf::atom_constant<caf::atom("m_deliver")>;

/// One publication for a subscription; batch_id 0: nobody waits for its outcome.
struct delivery {
  uint64_t batch_id = 0;
  uint32_t index = 0;  // within its batch
  publication pub;
};

struct delivery_outcome {
  uint64_t batch_id = 0;
  uint32_t index = 0;
  publish_ack ack;
};

/// Messages: `(deliver_atom, uint64_t sub_id, std::vector<delivery>)`; answers the broker with
/// `(done_atom, sub_id, std::vector<delivery_outcome>)` once all of them ran.
caf::actor spawn_subscriber_actor(caf::actor_system& sys, caf::actor broker, subscription_handler handler);

}  // namespace micro::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::vector<micro::actors::delivery>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::vector<micro::actors::delivery_outcome>)
