#pragma once
// The service actor: owns a service's endpoint table, runs each handler off the actor (so a slow
// handler never stalls other calls), bounds concurrency, enforces deadlines and drains on stop.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "actors/wire.hpp"
#include "caf/actor.hpp"
#include "caf/fwd.hpp"

namespace micro::actors {

using clock = std::chrono::steady_clock;

/// One endpoint: either a function run on a worker thread, or a user actor that answers a
/// `request` with a `response` (the asynchronous form).
struct endpoint_handler {
  std::function<response(const request&, clock::time_point deadline)> run;
  caf::actor actor;
  /// Runs `run` on the service actor itself, outside the concurrency limit. Only for micro's
  /// own endpoints that never block (Debug.Health must answer while every slot is busy).
  bool run_on_actor = false;
};

/// Counters shared with the facade (Debug.Stats reads them from a worker thread).
struct service_counters {
  std::chrono::system_clock::time_point started = std::chrono::system_clock::now();
  std::atomic<uint64_t> requests{0};
  std::atomic<uint64_t> errors{0};
  std::atomic<uint64_t> in_flight{0};
  std::atomic<uint64_t> queued{0};
};

struct service_spec {
  std::string name;
  std::map<std::string, endpoint_handler> endpoints;
  std::size_t max_concurrency = 64;  // handlers running at once
  std::size_t max_queue = 4096;      // requests waiting for a slot; beyond it: 503
  std::shared_ptr<service_counters> counters = std::make_shared<service_counters>();
};

/// Messages: `request` -> `response`; `(drain_atom)` -> `bool` once nothing is in flight
/// (new requests get 503 from then on).
caf::actor spawn_service_actor(caf::actor_system& sys, service_spec spec);

}  // namespace micro::actors
