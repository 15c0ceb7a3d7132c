#pragma once
// The registry watcher actor: owns a registry backend for a client, keeps the client's
// registry::cache current from the backend's watch events, answers lookups the cache cannot,
// and pushes every event to subscribers (the selector, the CLI).
//
// - A lookup the cache cannot answer goes to the backend once per name, however many callers
//   ask meanwhile, on a thread of its own: an mDNS lookup may wait for the first browse to
//   settle, and that must not stall the actor or CAF's workers.
// - Events arrive from a thread that blocks in the backend's watcher. When the event stream
//   breaks (overflow, backend restart), the cache is marked stale and a new watch is opened.
// - While the backend cannot answer, a stale entry is served rather than an error.

#include <memory>
#include <string>
#include <vector>

#include "actors/atoms.hpp"
#include "caf/actor.hpp"
#include "caf/allowed_unsafe_message_type.hpp"
#include "caf/fwd.hpp"
#include "registry/cache.hpp"
#include "registry/registry.hpp"

namespace micro::actors {

using lookup_atom = caf::atom_constant<caf::atom("m_lookup")>;
using subscribe_atom = caf::atom_constant<caf::atom("m_sub")>;
using unsubscribe_atom = caf::atom_constant<caf::atom("m_unsub")>;
using registry_event_atom = caf::atom_constant<caf::atom("m_regev")>;

/// What a lookup answers: the versions of a service, or why there are none.
using lookup_result = registry::result<std::vector<registry::service>>;

/// Messages:
/// - `(lookup_atom, std::string service)` -> `lookup_result`
/// - `(subscribe_atom, caf::actor)`: the actor receives `(registry_event_atom, registry::event)`
///   for every service until `(unsubscribe_atom, caf::actor)` or until it terminates.
caf::actor spawn_registry_watcher(caf::actor_system& sys, std::shared_ptr<registry::registry> backend,
                                  std::shared_ptr<registry::cache> cache);

}  // namespace micro::actors

// Local messages only: these never cross nodes, so they need no serialization.
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(micro::actors::lookup_result)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(micro::registry::service_snapshot)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(micro::registry::event)
