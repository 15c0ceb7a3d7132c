#pragma once
// Calls in flight on one connection, each way, against limits::max_calls_in_flight, and the same
// for publication batches (publication -> publish_ack, counted apart from calls against the same
// bound). Shared by the backends so that every transport counts the same way. Thread-safe.

#include <atomic>
#include <cstddef>

#include "transport/frame.hpp"
#include "transport/status.hpp"

namespace micro::transport {

class call_counter {
 public:
  explicit call_counter(std::size_t max) : max_{max} {}

  // A frame about to leave: a request (publication) past the limit is refused (too_many_calls,
  // not sent); a response (publish_ack) ends one inbound call (publication).
  status on_send(const frame& f);
  // A frame that arrived: a request (publication) past the limit is a peer breaking the rules
  // (the caller closes the connection); a response (publish_ack) ends one outbound one.
  status on_receive(const frame& f);

  // Calls and publications in flight both ways, and streams open (counted by their frames, see
  // frame.hpp): a connection with any is pinged and never idle-closed.
  std::size_t in_flight() const noexcept {
    return inbound_.load() + outbound_.load() + streams_.load() + publications_in_.load() + publications_out_.load();
  }

 private:
  static void decrement(std::atomic<std::size_t>& n);
  std::size_t max_;
  std::atomic<std::size_t> inbound_{0};   // requests received, not yet answered
  std::atomic<std::size_t> outbound_{0};  // requests sent, not yet answered
  std::atomic<std::size_t> streams_{0};   // stream opens not yet released (either way)
  std::atomic<std::size_t> publications_in_{0};   // publications received, not yet acked
  std::atomic<std::size_t> publications_out_{0};  // publications sent, not yet acked
  void count_stream(const frame& f);
};

}  // namespace micro::transport
