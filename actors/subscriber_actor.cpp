#include "actors/subscriber_actor.hpp"

#include <exception>

#include "actors/default_handler.hpp"
#include "caf/all.hpp"

namespace micro::actors {

namespace {

caf::behavior subscriber_actor(caf::event_based_actor* self, caf::actor broker, subscription_handler handler) {
  install_default_handler(self);
  return {
    [self, broker, handler](deliver_atom, uint64_t sub_id, std::vector<delivery>& items) {
      std::vector<delivery_outcome> outcomes;
      outcomes.reserve(items.size());
      for (auto& d : items) {
        publish_ack outcome;
        try {
          outcome = handler(d.pub);
        } catch (const std::exception& e) {
          outcome = publish_ack{500, e.what(), {}};
        } catch (...) {
          outcome = publish_ack{500, "subscriber threw a non-standard exception", {}};
        }
        outcomes.push_back(delivery_outcome{d.batch_id, d.index, std::move(outcome)});
      }
      self->send(broker, done_atom::value, sub_id, std::move(outcomes));
    },
  };
}

}  // namespace

caf::actor spawn_subscriber_actor(caf::actor_system& sys, caf::actor broker, subscription_handler handler) {
  return sys.spawn<caf::detached>(subscriber_actor, std::move(broker), std::move(handler));
}

}  // namespace micro::actors
