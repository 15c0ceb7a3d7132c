#pragma once
// What a service serves a call with (endpoint_handler) and what it counts (service_counters):
// shared by the service actor, the call gate and the byte transports' server.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>

#include "actors/wire.hpp"
#include "caf/actor.hpp"
#include "metrics/rpc.hpp"

namespace micro::actors {

using clock = std::chrono::steady_clock;

/// One endpoint: either a function run on a worker thread, or a user actor that answers a
/// `request` with a `response` (the asynchronous form).
struct endpoint_handler {
  std::function<response(const request&, clock::time_point deadline)> run;
  caf::actor actor;
  /// Runs `run` on the thread that took the call (the service actor, or a byte transport's I/O
  /// thread), outside the concurrency limit: micro's own
  /// endpoints (Debug.Health must answer while every slot is busy) and user endpoints declared
  /// non-blocking (endpoint_options::run_inline).
  bool run_on_actor = false;
  /// Its series (metrics/rpc.hpp), resolved once; null when metrics are off.
  metrics::call_series* calls = nullptr;
};

/// Counters shared with the facade (Debug.Stats reads them from a worker thread).
struct service_counters {
  std::chrono::system_clock::time_point started = std::chrono::system_clock::now();
  std::atomic<uint64_t> requests{0};
  std::atomic<uint64_t> errors{0};
  std::atomic<uint64_t> in_flight{0};
  std::atomic<uint64_t> queued{0};
  std::atomic<uint64_t> streams_open{0};   // streams open (threaded handlers and callbacks)
  std::atomic<uint64_t> streams_total{0};  // streams accepted since start
};

}  // namespace micro::actors
