#include "actors/basp_header.hpp"

#include <algorithm>

namespace micro::actors {

namespace {

constexpr uint8_t server_handshake_op = 0;
constexpr uint8_t client_handshake_op = 1;
constexpr uint8_t last_op = 6;  // heartbeat

}  // namespace

uint32_t basp_payload_length(const unsigned char* p) {
  p += 4;
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}

std::string check_basp_header(const unsigned char* h, std::size_t size, const basp_header_rules& rules) {
  if (size != basp_header_size)
    return "read " + std::to_string(size) + " bytes where a BASP header was expected";
  auto op = h[0];
  auto len = basp_payload_length(h);
  if (op > last_op) {
    static const char* hex = "0123456789abcdef";
    std::string first;
    for (std::size_t i = 0; i < 8; ++i)
      first += std::string{hex[h[i] >> 4], hex[h[i] & 0xf]};
    return "not a BASP header (starts with 0x" + first + ")";
  }
  if (!rules.handshaken) {
    auto expected = rules.inbound ? client_handshake_op : server_handshake_op;
    if (op != expected)
      return std::string{"expected a BASP "} + (expected == client_handshake_op ? "client" : "server") +
             " handshake first, got operation " + std::to_string(op);
    auto limit = std::min(rules.max_frame_size, basp_handshake_frame_limit);
    if (len > limit)
      return "handshake claims " + std::to_string(len) + " bytes, more than the " + std::to_string(limit) +
             " allowed before a handshake";
    return {};
  }
  if (len > rules.max_frame_size)
    return "frame of " + std::to_string(len) + " bytes exceeds max_frame_size " + std::to_string(rules.max_frame_size);
  return {};
}

}  // namespace micro::actors
