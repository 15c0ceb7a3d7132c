#pragma once
// The tcp transport: micro's frames on one TCP connection per pair of nodes, calls multiplexed
// by id. Standalone Asio (Debian libasio-dev) runs one I/O thread per transport.
//
// Why Asio and not a CAF broker: this layer sits below actors/ and must not pull CAF in (it is
// usable and testable without an actor system), and the spike (notes: transport-spike) measured
// both loops within 3-9 us of the raw socket floor; what brings throughput is batching, which we
// do ourselves: every read takes all that is available (64 KiB), every frame it completes is
// handled, and replies queued meanwhile leave in one write per pass (1.46 M calls/s measured).
//
// Handshake: each side's first frame is a hello (protocol version in the header, body =
// handshake_magic). The listener answers a valid one with its own hello; anything else, or
// nothing within limits::handshake_timeout, closes the connection with one logged reason. With
// TLS, the TLS handshake comes first (within the same timeout) and the hellos travel inside it.

#include <memory>

#include "transport/transport.hpp"

namespace micro::transport {

// With options.tls enabled, every connection is TLS (tls.hpp); unreadable or mismatched files:
// errc::tls_failed.
result<std::shared_ptr<transport>> make_tcp_transport(transport_options options = {});

}  // namespace micro::transport
