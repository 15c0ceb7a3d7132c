#include "transport/frame.hpp"

namespace micro::transport {

const char* to_string(frame_kind kind) noexcept {
  switch (kind) {
    case frame_kind::hello: return "hello";
    case frame_kind::goaway: return "goaway";
    case frame_kind::request: return "request";
    case frame_kind::response: return "response";
    case frame_kind::stream_open: return "stream_open";
    case frame_kind::stream_data: return "stream_data";
    case frame_kind::stream_credit: return "stream_credit";
    case frame_kind::stream_end: return "stream_end";
    case frame_kind::publication: return "publication";
    case frame_kind::publish_ack: return "publish_ack";
    case frame_kind::ping: return "ping";
    case frame_kind::pong: return "pong";
  }
  return "unknown";
}

}  // namespace micro::transport
