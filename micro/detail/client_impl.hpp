#pragma once
// Private: what a client holds, and the steps of a call shared by the blocking API and the
// actor API (micro/actor_api.hpp).

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "actors/runtime.hpp"
#include "caf/actor.hpp"
#include "registry/cache.hpp"
#include "actors/wire.hpp"
#include "micro/client.hpp"

namespace micro {

struct client::impl {
  options opts;
  std::shared_ptr<actors::runtime> rt;
  std::shared_ptr<registry::registry> reg;
  std::shared_ptr<registry::cache> cache;  // written by `watcher`, read by calls
  caf::actor watcher;                      // actors/registry_watcher.hpp

  impl(options o, std::shared_ptr<registry::registry> r);
  ~impl();
};

namespace detail {

struct prepared_call {
  std::vector<std::string> candidates;  // node addresses
  actors::request wire;
  std::chrono::nanoseconds wait{0};     // how long the caller waits for the client actor
};

/// The candidate addresses of `service` that pass `filter`, from the versions the registry
/// knows; 404/503 errors name the registry and the filter.
result<std::vector<std::string>> select_addresses(const std::string& service,
                                                  const registry::result<std::vector<registry::service>>& found,
                                                  const node_filter& filter);

/// Applies the deadline and metadata of `parent`, builds the wire request.
/// Candidates are `opts.addresses`; empty means the caller resolves them through the registry.
result<prepared_call> prepare_call(client& c, const context& parent, const std::string& service,
                                   const std::string& endpoint, const raw_message& req,
                                   const call_options& opts);

result<raw_message> to_raw_result(actors::response&& rsp);

}  // namespace detail
}  // namespace micro
