#include "transport/handshake.hpp"

#include <string>

namespace micro::transport {

namespace {

constexpr std::size_t max_reason_bytes = 1024;

}  // namespace

status goaway_status(const frame& f, const char* context) {
  // (peer_unresponsive: the last errc; anything beyond is a code this version does not know)
  auto code = f.flags <= static_cast<uint16_t>(errc::peer_unresponsive) && f.flags != 0 ? static_cast<errc>(f.flags)
                                                                              : errc::closed;
  std::string reason = f.body.size() > max_reason_bytes ? f.body.substr(0, max_reason_bytes) : f.body;
  return status::error(code, std::string{context} + ": " + reason);
}

status check_hello(const frame& first) {
  if (first.kind == frame_kind::hello && first.body == handshake_magic)
    return {};
  if (first.kind == frame_kind::goaway)
    return goaway_status(first, "peer refused the handshake");
  return status::error(errc::handshake_failed,
                       std::string{"first frame was a "} + to_string(first.kind) + " frame, not a valid hello");
}

}  // namespace micro::transport
