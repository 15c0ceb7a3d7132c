#pragma once
// A stream endpoint actor: one per side of a stream. It is the only sender to its peer (so CAF
// keeps every message of the stream in order), moves batches between its stream_channel and the
// peer, enforces the stream's deadline, and ends the stream with an error the moment the peer's
// actor goes down (a dead node, a crashed process), since CAF never fails a silent peer by itself.
//
// Opening, with the client's endpoint E and the server's S:
//   E --(stream_open_atom, request, window, stream_timeout_ns, E)--> client actor (picks a node)
//     --> node actor --> service actor: spawns S and delegates the open to it;
//   S --(stream_hello_atom, window)--> E, then S answers the open with a `response` (code 0),
//   which reaches E after the hello (both leave S in this order over one connection).
// Then: stream_frames both ways, (stream_credit_atom, n) for every half window read, and one
// stream_end per side. The server's stream_end is the stream's final status.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "actors/call_plan.hpp"
#include "actors/stream_callbacks.hpp"
#include "actors/stream_channel.hpp"
#include "actors/stream_event.hpp"
#include "actors/wire.hpp"
#include "caf/actor.hpp"
#include "caf/fwd.hpp"

namespace micro::actors {

struct stream_open_spec {
  caf::actor client_actor;         // the process's (actors/client_actor.hpp)
  call_plan plan;                  // candidates, strategy, retries of the open
  request open;                    // service, endpoint, codecs, metadata; timeout = open bound
  int64_t stream_timeout_ns = 0;   // the whole stream's; 0 = no deadline
  /// Set for the actor API: messages and the end go to this actor as stream_events (with
  /// `listener_stream` as their id) instead of the channel's inbox; credit goes back as it
  /// answers each message event. Its down cancels the stream.
  caf::actor listener;
  uint64_t listener_stream = 0;
};

/// The client's side: opens the stream as described above. The channel learns the outcome
/// (wait_open) and then carries the messages.
caf::actor spawn_client_stream(caf::actor_system& sys, std::shared_ptr<stream_channel> channel,
                               stream_open_spec spec);

/// The server's side, talking to the client's endpoint `peer`, which granted `credit`. It
/// answers `(stream_open_atom)` with the hello to the peer and a `response` (code 0). With
/// `callbacks` (an asynchronous stream endpoint), arriving messages, the half-close, credit for a
/// refused try_send and the end go to them, on this actor, instead of the channel's inbox.
caf::actor spawn_server_stream(caf::actor_system& sys, std::shared_ptr<stream_channel> channel,
                               caf::actor peer, uint32_t credit, int64_t stream_timeout_ns,
                               std::shared_ptr<stream_callbacks> callbacks = nullptr);

/// Stream endpoint actors alive in this process (both sides): the leak check's figure.
std::size_t live_stream_endpoints() noexcept;

}  // namespace micro::actors
