#pragma once
// The BASP guard's check of one BASP 0.17 header (actors/basp_guard.hpp), apart from its sockets
// and without CAF: the bytes come from anyone who connects, so this is what fuzz/ exercises.
//
// The header as CAF's binary_serializer writes it (caf/io/basp/header.hpp): 32 bytes, integers
// big-endian. [0] operation, [1..2] padding, [3] flags, [4..7] payload length, [8..15]
// operation data, [16..23] source actor, [24..31] destination actor.

#include <cstddef>
#include <cstdint>
#include <string>

namespace micro::actors {

inline constexpr std::size_t basp_header_size = 32;

// A handshake carries a node id, application ids and the published actor's interface: tens to
// hundreds of bytes. Before it completes, nothing larger is accepted from anyone.
inline constexpr uint32_t basp_handshake_frame_limit = 64u << 10;

struct basp_header_rules {
  bool handshaken = false;  // the connection's BASP handshake is complete
  bool inbound = true;      // accepted (expects a client handshake first) or dialled (a server one)
  uint32_t max_frame_size = 16u << 20;
};

// The payload length a header announces.
uint32_t basp_payload_length(const unsigned char* header);

// Why a chunk of `size` bytes, read where a header was due, must close its connection; "" when
// it is a header this connection may receive.
std::string check_basp_header(const unsigned char* header, std::size_t size, const basp_header_rules& rules);

}  // namespace micro::actors
