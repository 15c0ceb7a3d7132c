#include "transport/call_counter.hpp"

#include <string>

namespace micro::transport {

void call_counter::decrement(std::atomic<std::size_t>& n) {
  // Saturating: a stray response (for a call already given up) must not wrap the count.
  auto v = n.load();
  while (v > 0 && !n.compare_exchange_weak(v, v - 1)) {
  }
}

// Streams never refuse a frame here: their limit is the node's (actors/transport_streams), which
// answers an open past it with a coded refusal.
void call_counter::count_stream(const frame& f) {
  if (f.kind == frame_kind::stream_open && (f.flags & stream_answer) == 0)
    streams_.fetch_add(1);
  else if ((f.kind == frame_kind::stream_open || f.kind == frame_kind::stream_end) && (f.flags & stream_released) != 0)
    decrement(streams_);
}

status call_counter::on_send(const frame& f) {
  count_stream(f);
  if (f.kind == frame_kind::request) {
    if (outbound_.fetch_add(1) >= max_) {
      decrement(outbound_);
      return status::error(errc::too_many_calls, std::to_string(max_) + " calls already in flight on this connection");
    }
  } else if (f.kind == frame_kind::response) {
    decrement(inbound_);
  } else if (f.kind == frame_kind::publication) {
    if (publications_out_.fetch_add(1) >= max_) {
      decrement(publications_out_);
      return status::error(errc::too_many_calls,
                           std::to_string(max_) + " publication batches already in flight on this connection");
    }
  } else if (f.kind == frame_kind::publish_ack) {
    decrement(publications_in_);
  }
  return {};
}

status call_counter::on_receive(const frame& f) {
  count_stream(f);
  if (f.kind == frame_kind::request) {
    if (inbound_.fetch_add(1) >= max_)
      return status::error(errc::too_many_calls, "peer sent more than " + std::to_string(max_)
                                                   + " calls in flight");
  } else if (f.kind == frame_kind::response) {
    decrement(outbound_);
  } else if (f.kind == frame_kind::publication) {
    if (publications_in_.fetch_add(1) >= max_)
      return status::error(errc::too_many_calls, "peer sent more than " + std::to_string(max_)
                                                   + " publication batches in flight");
  } else if (f.kind == frame_kind::publish_ack) {
    decrement(publications_out_);
  }
  return {};
}

}  // namespace micro::transport
