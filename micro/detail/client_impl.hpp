#pragma once
// Private: what a client holds, and the steps of a call shared by the blocking API and the
// actor API (micro/actor_api.hpp).

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "actors/broker_actor.hpp"
#include "actors/call_plan.hpp"
#include "actors/runtime.hpp"
#include "caf/actor.hpp"
#include "registry/cache.hpp"
#include "actors/wire.hpp"
#include "micro/client.hpp"
#include "micro/detail/pubsub_impl.hpp"

namespace micro::actors {
class direct_calls;
}  // namespace micro::actors

namespace micro {

struct client::impl {
  options opts;
  status setup;  // ok, or why this client cannot work (client::configured())
  std::shared_ptr<actors::runtime> rt;
  std::shared_ptr<registry::registry> reg;
  std::shared_ptr<registry::cache> cache;  // written by `watcher`, read by calls
  caf::actor watcher;                      // actors/registry_watcher.hpp
  struct topic_entry {
    actors::subscriber_list services;
    std::chrono::steady_clock::time_point fetched;
  };
  std::mutex topics_mutex;
  std::map<std::string, topic_entry> topics;  // subscribers per topic, briefly cached
  // Publications, over whichever broker backend the options name (micro/pubsub.cpp). After
  // what subscribers_of reads, so it goes first.
  detail::publisher pubsub{opts, [this](const std::string& topic) { return subscribers_of(topic); }};
  std::vector<call_wrapper> wrappers;      // in the order added
  call_func chain;                         // the wrappers composed; empty without wrappers

  impl(options o, std::shared_ptr<registry::registry> r);
  ~impl();

  /// The versions (with nodes) of every service that advertises a subscriber of `topic`.
  actors::subscriber_list subscribers_of(const std::string& topic);

  /// The versions of `service`: from the cache, or (blocking) from the registry watcher.
  registry::result<std::vector<registry::service>> lookup(const std::string& service);
};

namespace detail {

struct prepared_call {
  actors::call_plan plan;               // candidates empty until resolved (unless given)
  actors::request wire;
  std::chrono::nanoseconds wait{0};     // how long the caller waits for the client actor
};

/// Applies the deadline and metadata of `parent`, builds the wire request and the plan (strategy,
/// retries). Candidates are `opts.addresses`; empty means: resolve them with `resolve_into`.
result<prepared_call> prepare_call(client& c, const context& parent, const std::string& service,
                                   const std::string& endpoint, const raw_message& req,
                                   const call_options& opts);

/// The candidate addresses of `service` that pass `opts.filters`, from the versions the registry
/// knows, and the retry rule (which depends on whether those versions declare the endpoint
/// idempotent). 404/503 errors name the registry and the filters.
status resolve_into(prepared_call& call, const std::string& service, const std::string& endpoint,
                    const registry::result<std::vector<registry::service>>& found, const call_options& opts);

/// Just the addresses (client::resolve).
result<std::vector<std::string>> select_addresses(const std::string& service,
                                                  const registry::result<std::vector<registry::service>>& found,
                                                  const std::vector<named_filter>& filters);

result<raw_message> to_raw_result(actors::response&& rsp);

/// A blocking call over the direct path (actors/direct_calls.hpp): for a plan it takes.
result<raw_message> call_direct(actors::direct_calls& direct, prepared_call call);

/// Where a prepared call goes from inside an actor: the direct path when it takes the plan,
/// else the client actor. Weak, so an actor holding it (a pending lookup) never keeps the
/// runtime's direct path alive past the runtime.
struct call_targets {
  caf::actor client_actor;
  std::weak_ptr<actors::direct_calls> direct;
};
call_targets targets_of(client& c);

}  // namespace detail
}  // namespace micro
