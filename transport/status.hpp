#pragma once
// Errors as values: transport calls never throw for expected failures (unknown backend, refused
// connection, a peer that sends garbage); callers branch on a code and log the message.

#include <string>
#include <utility>

namespace micro::transport {

enum class errc {
  ok = 0,
  unknown_transport,       // make_transport() with a name no backend answers to
  invalid_address,         // an address the backend cannot parse ("host:port" for tcp)
  connect_failed,          // nothing listens there, or the connection was refused
  closed,                  // the connection is closed (locally or by the peer)
  frame_too_large,         // a header claims more than limits::max_frame_size
  bad_frame,               // a header that is not micro's (unknown kind, garbage)
  bad_version,             // a frame or handshake of a protocol version this node does not speak
  handshake_failed,        // the first frame was not a valid hello
  handshake_timeout,       // no valid hello within limits::handshake_timeout
  idle_timeout,            // no complete frame within limits::idle_timeout (slow loris, dead peer)
  too_many_calls,          // more calls in flight on one connection than limits::max_calls_in_flight
  io_error,                // the operating system said no (reset, broken pipe, ...)
  tls_failed,              // TLS set-up or handshake failed (unreadable file, untrusted or expired
                           // certificate, a peer that does not speak TLS)
  peer_unresponsive,       // calls in flight and no frame, not even a pong, within limits::ping_timeout
                           // (a frozen process, a cut link)
};

// "ok", "frame_too_large", ... for logs and tests.
const char* to_string(errc code) noexcept;

struct status {
  errc code = errc::ok;
  std::string message;  // for people: says which peer and what was wrong; empty when ok

  bool ok() const noexcept { return code == errc::ok; }
  explicit operator bool() const noexcept { return ok(); }

  static status success() { return {}; }
  static status error(errc code, std::string message) { return {code, std::move(message)}; }
};

// A value or the reason there is none. `value` is default-constructed on error.
template <class T>
struct result {
  status st;
  T value{};

  bool ok() const noexcept { return st.ok(); }
  explicit operator bool() const noexcept { return ok(); }
};

}  // namespace micro::transport
