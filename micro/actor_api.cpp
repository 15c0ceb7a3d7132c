#include "micro/actor_api.hpp"

#include "micro/detail/server_impl.hpp"

namespace micro {

void handle_with_actor(server& srv, registry::endpoint info, caf::actor handler) {
  auto& internals = srv.internals();
  std::lock_guard<std::mutex> guard{internals.mutex};
  auto name = info.name;
  internals.endpoints[name] = server::impl::entry{std::move(info), {}, std::move(handler), {}};
}

void subscribe_with_actor(server& srv, const std::string& topic, caf::actor subscriber, subscribe_options opts) {
  srv.internals().add_subscription(
    server::impl::subscription{topic, "micro.publication", {}, std::move(subscriber), std::move(opts)});
}

}  // namespace micro
