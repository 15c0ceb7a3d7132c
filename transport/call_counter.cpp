#include "transport/call_counter.hpp"

#include <string>

namespace micro::transport {

void call_counter::decrement(std::atomic<std::size_t>& n) {
  // Saturating: a stray response (for a call already given up) must not wrap the count.
  auto v = n.load();
  while (v > 0 && !n.compare_exchange_weak(v, v - 1)) {
  }
}

status call_counter::on_send(const frame& f) {
  if (f.kind == frame_kind::request) {
    if (outbound_.fetch_add(1) >= max_) {
      decrement(outbound_);
      return status::error(errc::too_many_calls, std::to_string(max_) + " calls already in flight on this connection");
    }
  } else if (f.kind == frame_kind::response) {
    decrement(inbound_);
  }
  return {};
}

status call_counter::on_receive(const frame& f) {
  if (f.kind == frame_kind::request) {
    if (inbound_.fetch_add(1) >= max_)
      return status::error(errc::too_many_calls, "peer sent more than " + std::to_string(max_)
                                                   + " calls in flight");
  } else if (f.kind == frame_kind::response) {
    decrement(outbound_);
  }
  return {};
}

}  // namespace micro::transport
