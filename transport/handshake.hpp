#pragma once
// What a node accepts as the first frame of a connection, and what a goaway says. Pure functions
// over decoded frames (no sockets), so the tcp backend and the fuzz harness (fuzz/) share them.

#include "transport/frame.hpp"
#include "transport/status.hpp"

namespace micro::transport {

// ok for a hello whose body is handshake_magic; the peer's reason for a goaway (it refused us);
// handshake_failed for anything else.
status check_hello(const frame& first);

// The status a goaway frame carries: flags name an errc, the body says why. A code this node
// does not know (a newer or hostile peer) reads as `closed`; the body is cut to 1 KiB.
status goaway_status(const frame& f, const char* context);

}  // namespace micro::transport
