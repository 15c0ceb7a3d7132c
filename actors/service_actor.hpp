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

#include "actors/stream_callbacks.hpp"
#include "actors/stream_channel.hpp"
#include "actors/wire.hpp"
#include "caf/actor.hpp"
#include "caf/fwd.hpp"
#include "metrics/rpc.hpp"

namespace micro::actors {

using clock = std::chrono::steady_clock;

/// One endpoint: either a function run on a worker thread, or a user actor that answers a
/// `request` with a `response` (the asynchronous form).
struct endpoint_handler {
  std::function<response(const request&, clock::time_point deadline)> run;
  caf::actor actor;
  /// Runs `run` on the service actor itself, outside the concurrency limit: micro's own
  /// endpoints (Debug.Health must answer while every slot is busy) and user endpoints declared
  /// non-blocking (endpoint_options::run_inline).
  bool run_on_actor = false;
  /// Its series (metrics/rpc.hpp), resolved once; null when metrics are off.
  metrics::call_series* calls = nullptr;
};

/// What an asynchronous stream endpoint says to an open: the callbacks that serve the stream, or
/// (refusal.code != 0) why it is refused.
struct stream_acceptance {
  stream_end refusal;
  std::shared_ptr<stream_callbacks> callbacks;
};

/// A stream endpoint, in one of two forms:
/// - `run`: runs on a thread of its own for the stream's whole life, with the open request
///   (codecs, metadata) and the channel to the client; returns the stream's final status;
/// - `open`: called on the service actor when a stream opens (it must not block); returns the
///   callbacks the stream's endpoint actor calls as messages arrive (actors/stream_callbacks.hpp).
///   No thread per stream: the channel's try_send and finish_send answer from any thread.
struct stream_handler {
  std::function<stream_end(const request& open, std::shared_ptr<stream_channel> channel, clock::time_point deadline)> run;
  std::function<stream_acceptance(const request& open, std::shared_ptr<stream_channel> channel,
                                  clock::time_point deadline)> open;
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

struct service_spec {
  std::string name;
  std::map<std::string, endpoint_handler> endpoints;
  std::size_t max_concurrency = 64;  // handlers running at once
  std::size_t max_queue = 4096;      // requests waiting for a slot; beyond it: 503
  std::map<std::string, stream_handler> streams;
  std::size_t max_streams = 1024;    // streams open at once (threaded ones: a thread each); beyond it: 503
  uint32_t stream_window = 64;       // messages a client may send ahead of the handler
  std::shared_ptr<service_counters> counters = std::make_shared<service_counters>();
  /// Where calls to endpoints it does not have are counted; null when metrics are off.
  metrics::call_series* unknown_calls = nullptr;
};

/// Messages: `request` -> `response`; `(stream_open_atom, request, window, stream_timeout_ns,
/// client_end)` -> `response` (answered by the stream's server endpoint, see
/// actors/stream_endpoint.hpp); `(drain_atom)` -> `bool` once nothing is in flight (new requests
/// and streams get 503 from then on, open streams end with 503).
caf::actor spawn_service_actor(caf::actor_system& sys, service_spec spec);

}  // namespace micro::actors
