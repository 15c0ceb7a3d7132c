#pragma once
// How the client actor carries out one call: which nodes may serve it, how one is chosen, and
// when a failed attempt is tried again. Built by the facade (micro/client.cpp) from the call's
// options; a local message type only (never crosses nodes).

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "actors/selector.hpp"
#include "actors/wire.hpp"
#include "caf/allowed_unsafe_message_type.hpp"

namespace micro::actors {

/// How an attempt failed (mirrors micro::failure_kind, which the facade maps to).
enum class attempt_failure : std::uint8_t { not_delivered, refused, node_lost, timeout, handler_error };

struct failed_attempt {
  int attempt = 1;                // 1-based
  const response* error = nullptr;  // the error response the caller would get
  attempt_failure kind = attempt_failure::not_delivered;
};

struct call_plan {
  std::vector<std::string> candidates;  // node addresses
  actors::strategy strategy = actors::strategy::random;
  std::size_t retries = 1;              // attempts after a failed one (not_delivered is free)
  std::chrono::nanoseconds backoff{std::chrono::milliseconds{10}};  // doubles per retry, jittered
  std::chrono::nanoseconds attempt_timeout{0};  // per attempt; 0: all the time left
  /// Whether to try again; runs inside the client actor, so it must be quick.
  std::function<bool(const failed_attempt&)> retry;
};

}  // namespace micro::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(micro::actors::call_plan)
