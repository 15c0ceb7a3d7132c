#include "transport/status.hpp"

namespace micro::transport {

const char* to_string(errc code) noexcept {
  switch (code) {
    case errc::ok: return "ok";
    case errc::unknown_transport: return "unknown_transport";
    case errc::invalid_address: return "invalid_address";
    case errc::connect_failed: return "connect_failed";
    case errc::closed: return "closed";
    case errc::frame_too_large: return "frame_too_large";
    case errc::bad_frame: return "bad_frame";
    case errc::bad_version: return "bad_version";
    case errc::handshake_failed: return "handshake_failed";
    case errc::handshake_timeout: return "handshake_timeout";
    case errc::idle_timeout: return "idle_timeout";
    case errc::too_many_calls: return "too_many_calls";
    case errc::io_error: return "io_error";
    case errc::tls_failed: return "tls_failed";
    case errc::peer_unresponsive: return "peer_unresponsive";
  }
  return "unknown";
}

}  // namespace micro::transport
