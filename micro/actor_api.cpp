#include "micro/actor_api.hpp"

#include "micro/detail/server_impl.hpp"

namespace micro {

void handle_with_actor(server& srv, registry::endpoint info, caf::actor handler) {
  auto& internals = srv.internals();
  std::lock_guard<std::mutex> guard{internals.mutex};
  auto name = info.name;
  internals.endpoints[name] = server::impl::entry{std::move(info), {}, std::move(handler)};
}

void subscribe_with_actor(server& srv, const std::string& topic, caf::actor subscriber, subscribe_options opts) {
  if (topic.empty())
    throw errors::bad_request("micro.server", "cannot subscribe to an empty topic");
  if (!subscriber)
    throw errors::bad_request("micro.server", "cannot subscribe to " + topic + " with an invalid actor");
  if (opts.queue.find(',') != std::string::npos || opts.queue == "*")
    throw errors::bad_request("micro.server", "queue group \"" + opts.queue + "\" of " + topic
                                                + ": a name may not contain ',' nor be \"*\"");
  auto& internals = srv.internals();
  std::lock_guard<std::mutex> guard{internals.mutex};
  if (internals.started)
    throw errors::conflict("micro.server", "cannot subscribe to " + topic + " after the service started");
  internals.subscriptions.push_back(server::impl::subscription{topic, "micro.publication", {}, std::move(subscriber), std::move(opts)});
}

}  // namespace micro
