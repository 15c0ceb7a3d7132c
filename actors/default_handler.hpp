#pragma once
// Every actor of ours answers unknown messages without harming the sender: a request gets an
// error reply, anything else is dropped. CAF's default (print_and_drop) sends
// `unexpected_message` back, which terminates senders that don't expect it (docs/caf-0.17.md, pitfall 4).

#include "caf/fwd.hpp"

namespace micro::actors {

void install_default_handler(caf::scheduled_actor* self);

}  // namespace micro::actors
