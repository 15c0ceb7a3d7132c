#include "micro/actor_api.hpp"

#include "micro/detail/server_impl.hpp"

namespace micro {

void handle_with_actor(server& srv, registry::endpoint info, caf::actor handler) {
  auto& internals = srv.internals();
  std::lock_guard<std::mutex> guard{internals.mutex};
  auto name = info.name;
  internals.endpoints[name] = server::impl::entry{std::move(info), {}, std::move(handler)};
}

}  // namespace micro
