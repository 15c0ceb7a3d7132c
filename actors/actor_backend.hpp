#pragma once
// The actor broker as the broker backend named "actor" (broker/factory.hpp): micro's own
// pub/sub, no server. Publications go to the process's broker actor (actors/broker_actor.hpp),
// which routes them to the nodes whose registry entries advertise subscribers of the topic;
// subscriptions are the broker actor's local subscriptions, run on a thread each.
//
// Of broker::subscribe_options it honours everything: queue, window, refuse_when_full, ack.
// Outcomes known only later (a node that refused, a subscriber that was full) reach
// acknowledged publishers through their callback and asynchronous ones through their
// broker::async_report. unsubscribe() returns at once; a publication already handed to the
// subscription's thread may still run (the thread stops after it).

#include <memory>

namespace micro::actors {

class runtime;

/// Installs the maker of "actor" in broker's factory, bound to `rt` (weakly): micro's runtime
/// calls it when it starts. Each backend made holds the runtime and queues its publications
/// through a queue of its own.
void install_actor_backend(const std::shared_ptr<runtime>& rt);

}  // namespace micro::actors
