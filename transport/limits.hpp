#pragma once
// What one peer may cost a node. Every transport enforces these per connection; a peer that
// exceeds one is closed with a logged reason, and nobody else notices.

#include <chrono>
#include <cstddef>

namespace micro::transport {

struct limits {
  // Largest body a frame may claim. Checked on the header, before anything is allocated: a
  // header claiming 4 GiB costs 16 bytes of buffer, not 4 GiB.
  std::size_t max_frame_size = 4u << 20;
  // Requests received and not yet answered (and requests sent and not yet answered) on one
  // connection. A peer past it is closed; a local caller past it gets errc::too_many_calls.
  // Publication batches not yet acked are bounded the same way, counted apart from calls (a
  // broker keeps a couple in flight per node: MICRO_BROKER_BATCHES_IN_FLIGHT).
  std::size_t max_calls_in_flight = 1024;
  // Streams open on one connection (actors/transport_streams). An open past it is refused with a
  // 503 answer, and the connection stays. Each service's own limit (server_max_streams) comes
  // first; this bounds what one peer holds across them all (each stream: two actors, ~2 KiB).
  std::size_t max_streams = 65536;
  // From accept (or dial) to a valid hello. Connections that never handshake cost an fd each.
  std::chrono::milliseconds handshake_timeout{5000};
  // Longest time without a complete frame while a frame is half received or no call is in
  // flight (a slow-loris sender, a dead peer). 0 = never.
  std::chrono::milliseconds idle_timeout{60000};
  // Liveness while calls are in flight on a connection (a frozen peer's TCP stays up, so its
  // calls would wait for their deadlines): after ping_interval without a frame from the peer a
  // ping is sent; after ping_timeout without any frame, not even the pong, the connection closes
  // (errc::peer_unresponsive) and its calls fail at once. Pongs come from the peer's I/O thread,
  // so a slow handler is not a silent peer. micro sets both from heartbeat_interval and
  // connection_timeout, like CAF's heartbeats. 0 = off (interval: no pings; timeout: no close).
  std::chrono::milliseconds ping_interval{1000};
  std::chrono::milliseconds ping_timeout{5000};
  // Bytes queued for a peer that does not read them; past it the connection is closed.
  std::size_t max_pending_bytes = 64u << 20;
};

}  // namespace micro::transport
