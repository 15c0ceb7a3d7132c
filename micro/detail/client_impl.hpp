#pragma once
// Private: what a client holds, and the steps of a call shared by the blocking API and the
// actor API (micro/actor_api.hpp).

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "actors/runtime.hpp"
#include "actors/wire.hpp"
#include "micro/client.hpp"

namespace micro {

struct client::impl {
  options opts;
  std::shared_ptr<registry::registry> reg;
  std::shared_ptr<actors::runtime> rt;
};

namespace detail {

struct prepared_call {
  std::vector<std::string> candidates;  // node addresses
  actors::request wire;
  std::chrono::nanoseconds wait{0};     // how long the caller waits for the client actor
};

/// Resolves nodes, applies the deadline and metadata of `parent`, builds the wire request.
result<prepared_call> prepare_call(client& c, const context& parent, const std::string& service,
                                   const std::string& endpoint, const raw_message& req,
                                   const call_options& opts);

result<raw_message> to_raw_result(actors::response&& rsp);

}  // namespace detail
}  // namespace micro
