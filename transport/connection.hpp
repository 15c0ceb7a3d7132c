#pragma once
// One connection between two nodes (go-micro's Socket): sends frames, hands received frames to
// a callback, closes with a reason. Calls, streams and publications are multiplexed on it by
// frame id.

#include <functional>
#include <memory>
#include <string>

#include "transport/frame.hpp"
#include "transport/status.hpp"

namespace micro::transport {

class connection;
using connection_ptr = std::shared_ptr<connection>;

struct connection_handlers {
  // Each received frame, in order, on the transport's I/O thread: answer there only what is
  // quick (an inline endpoint); hand anything that may block to another thread.
  std::function<void(const connection_ptr&, frame&&)> on_frame;
  // Once, when the connection closes for any reason (locally, by the peer, a broken limit).
  std::function<void(const connection_ptr&, const status& reason)> on_close;
};

class connection {
 public:
  virtual ~connection() = default;

  // Queues a frame for the peer; callable from any thread. Frames queued while a write is under
  // way leave together in the next one (one syscall for many frames under load).
  // closed, frame_too_large or too_many_calls (a request past limits::max_calls_in_flight).
  virtual status send(frame f) = 0;
  // Closes the connection; the peer is told `reason` (a goaway frame) when it is an error.
  virtual void close(status reason) = 0;
  virtual bool is_open() const = 0;
  // The other end, for logs: "127.0.0.1:40312", or the memory address.
  virtual std::string peer() const = 0;
  // What the peer's hello said it can do (frame.hpp's hello flags; valid once dial() returned it).
  // 0 for a backend without hellos, or a peer that says nothing.
  virtual uint16_t peer_flags() const { return 0; }
};

}  // namespace micro::transport
