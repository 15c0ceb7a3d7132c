#pragma once
// The service actor: takes calls over CAF and hands them to the service's call gate (which runs
// handlers off the actor, bounds concurrency and enforces deadlines), opens streams, and drains
// calls and streams on stop.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "actors/call_gate.hpp"
#include "actors/endpoint.hpp"
#include "actors/reply_sink.hpp"
#include "actors/stream_callbacks.hpp"
#include "actors/stream_channel.hpp"
#include "actors/wire.hpp"
#include "caf/actor.hpp"
#include "caf/fwd.hpp"
#include "metrics/rpc.hpp"

namespace micro::actors {

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

/// A running service: its actor (calls over CAF, stream opens, drain) and its call gate, which
/// byte transports hand requests to directly (actors/call_gate.hpp).
struct service_handle {
  caf::actor actor;
  std::shared_ptr<call_gate> gate;
};

/// The sink for the CAF request that `rp` answers, which has no forwarding stages: the answer
/// goes straight into the requester's mailbox from whichever thread has it (a worker), as if
/// `self` answered, with no hop back through `self`.
reply_sink reply_to_requester(caf::local_actor* self, const caf::response_promise& rp);

/// Messages: `request` -> `response` (through the gate); `(stream_open_atom, request, window,
/// stream_timeout_ns, client_end)` -> `response` (answered by the stream's server endpoint, see
/// actors/stream_endpoint.hpp); `(drain_atom)` -> `bool` once nothing is in flight (new requests
/// and streams get 503 from then on, open streams end with 503).
service_handle spawn_service_actor(caf::actor_system& sys, service_spec spec);

}  // namespace micro::actors
