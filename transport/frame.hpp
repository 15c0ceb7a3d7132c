#pragma once
// A frame: what one message between two nodes looks like on a transport. A small fixed header,
// then the body (the bytes a codec already produced, or a wire message encoded by
// actors/wire_body). The header is checked before a single body byte is buffered (frame_codec).
//
//   offset size  field (integers big-endian)
//   0      4     body length in bytes (at most limits::max_frame_size)
//   4      1     protocol version (protocol_version; a peer speaking another one is refused)
//   5      1     kind (frame_kind)
//   6      2     flags (per kind; 0 unless a kind says otherwise)
//   8      8     id: the call id of a request/response, the stream id of stream frames

#include <cstddef>
#include <cstdint>
#include <string>

namespace micro::transport {

inline constexpr uint8_t protocol_version = 1;
inline constexpr std::size_t frame_header_size = 16;

enum class frame_kind : uint8_t {
  hello = 1,          // first frame each way: body = handshake_magic; the header carries the version
  goaway = 2,         // the sender closes: flags = errc, body = reason for people
  request = 3,        // a unary call; id = call id chosen by the caller
  response = 4,       // the answer to the request with the same id
  stream_open = 5,    // client -> server: open stream `id`; server -> client (flag stream_answer): the open's answer
  stream_data = 6,    // a batch of stream messages (several per frame: batching is the throughput)
  stream_credit = 7,  // n more messages may be sent; with flag stream_hello: the server's hello
  stream_end = 8,     // one side's end (half-close, cancel, final status); with flag stream_gone:
                      // the sender's endpoint stopped (its actor quit), body = why
  publication = 9,    // client -> server: a batch of publications (actors/publication_batch.hpp); id = batch id
  publish_ack = 10,   // server -> client: the node's answer to publication `id` (actors/publication_batch.hpp)
  ping = 11,          // "are you there?": answered at once with a pong of the same id (limits::ping_*)
  pong = 12,
};
inline constexpr uint8_t max_frame_kind = 12;

// Hello flags: what the sender of a hello can do. A peer that did not say it answers pings is
// never sent one (a node of an older version would close the connection on an unknown kind).
inline constexpr uint16_t hello_answers_pings = 1;
// Said by a node whose server takes publication frames (actors/transport_server.hpp). A node that
// did not say it (an older micro) is never sent one: its publishers keep CAF's port for it.
// Not the transport's own: the layer above asks for it (transport_options::hello_flags).
inline constexpr uint16_t hello_takes_publications = 2;

// Stream frame flags (actors/transport_streams.hpp says what each frame carries). Stream ids are
// chosen by the client, unique among its streams and calls on a connection. The server sends
// exactly one frame with stream_released per stream it was asked to open (a refused answer, or
// its gone): the transports count streams by these (open: +1, released: -1), so a connection with
// streams open is pinged and never idle-closed, as one with calls in flight.
inline constexpr uint16_t stream_answer = 1;     // on stream_open: the server's answer to an open
inline constexpr uint16_t stream_hello = 1;      // on stream_credit: the server's hello (its credit)
inline constexpr uint16_t stream_gone = 1;       // on stream_end: the sender's endpoint stopped
inline constexpr uint16_t stream_released = 2;   // on stream_open answers and stream_end: the last frame of the stream from the server

const char* to_string(frame_kind kind) noexcept;

// The hello body: lets a listener tell a micro peer from a stray client in the first bytes.
inline constexpr char handshake_magic[] = "micro-transport";

struct frame {
  frame_kind kind = frame_kind::request;
  uint16_t flags = 0;
  uint64_t id = 0;
  std::string body;
};

struct frame_header {
  uint32_t length = 0;
  uint8_t version = protocol_version;
  frame_kind kind = frame_kind::request;
  uint16_t flags = 0;
  uint64_t id = 0;
};

}  // namespace micro::transport
