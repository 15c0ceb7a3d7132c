#pragma once
// The guard in front of CAF's BASP (the `caf` transport; it moves to transport/caf with it).
//
// CAF 0.17.6 trusts what a peer sends: a BASP header's payload length is allocated (and
// zero-filled) before one byte of the payload arrives, nothing bounds the time to a handshake or
// the number of connections, and BASP delivers messages from connections that never handshook.
// CAF is a Debian package, so the guard does not patch it: it hands CAF its own socket objects.
// Every BASP connection of the process (accepted on a published port, or dialled by the client)
// is a `guarded_scribe`, a subclass of CAF's own scribe that sees each chunk on the multiplexer
// thread before the BASP broker does. It checks every header (operation, payload length against
// the maximum frame size, a handshake first), closes connections that do not finish their
// handshake or go quiet in time and peers that do not read what they asked for, and bounds the
// number of connections below the fd limit. A bad connection is closed with one logged line;
// the BASP broker sees an ordinary disconnect.
//
// Why not a relay (a proxy socket in front of a loopback-only BASP port, or handing handshaken
// fds over): a relay adds two socket hops and a copy of every byte per message, and CAF would
// see every peer as 127.0.0.1; handing fds over leaves every later header unchecked. Checking
// inside the scribe costs a header parse and a counter per message, on the thread that reads
// the bytes anyway: no difference measurable in bench-rpc-client's p50 or calls/s.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "caf/actor.hpp"
#include "caf/fwd.hpp"
#include "transport/tls.hpp"

namespace micro::actors {

/// Limits of every BASP connection of the process.
struct guard_limits {
  uint32_t max_frame_size = 16u << 20;  // payload bytes of one BASP message
  std::chrono::milliseconds handshake_timeout{5000};  // connect to completed BASP handshake
  std::chrono::milliseconds idle_timeout{60000};  // no complete chunk for this long; 0: off
  std::size_t max_connections = 1024;  // lowered to leave fds free, see effective_max_connections
};

/// Where the guard reports each connection it closes or refuses (one line each; at most 20 lines
/// a second, then a count). nullptr: stderr.
using guard_log = std::function<void(const std::string&)>;

/// `configured`, lowered so that connections leave max(64, limit/8) of RLIMIT_NOFILE's soft
/// limit to everything else (at least 8).
std::size_t effective_max_connections(std::size_t configured);

/// Installs the guard on `sys` (its middleman must be loaded): a middleman actor whose ports
/// and outgoing connections are guarded, and a sweeper on the multiplexer for the timeouts.
/// With `tls` enabled, every BASP connection runs over TLS (actors/basp_tls.hpp), accepted and
/// dialled alike: a peer without TLS, or whose certificate the CA did not sign, is closed with
/// one logged line. Destroying it stops both; connections it made stay guarded until they close.
class basp_guard {
 public:
  basp_guard(caf::actor_system& sys, const guard_limits& limits, const transport::tls_options& tls = {},
             guard_log log = nullptr);
  ~basp_guard();
  basp_guard(const basp_guard&) = delete;
  basp_guard& operator=(const basp_guard&) = delete;

 private:
  caf::actor_system& sys_;
  caf::actor middleman_;
  caf::actor sweeper_;
};

/// The middleman actor to publish and connect through: the guard's if one is installed on
/// `sys`, CAF's own otherwise. Speaks CAF's `middleman_actor` protocol.
caf::actor guarded_middleman(caf::actor_system& sys);

}  // namespace micro::actors
