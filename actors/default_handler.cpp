#include "actors/default_handler.hpp"

#include "caf/all.hpp"

namespace micro::actors {

void install_default_handler(caf::scheduled_actor* self) {
  self->set_default_handler([](caf::scheduled_actor* me, caf::message_view&) -> caf::result<caf::message> {
    auto* element = me->current_mailbox_element();
    if (element != nullptr && element->mid.is_request())
      return caf::sec::unexpected_message;
    return caf::message{};
  });
}

}  // namespace micro::actors
