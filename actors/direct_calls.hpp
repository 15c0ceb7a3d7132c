#pragma once
// The client's direct path for unary calls whose every candidate node takes them over a byte
// transport (tcp, memory): no client actor on the way. The attempt is picked (shared selector)
// and queued on the connection from the caller's thread; the transport's I/O thread decodes the
// reply, marks the node and completes the call itself (the caller's `done`). Per call, on the
// client: caller -> I/O thread -> caller, where the client actor's path was caller -> client
// actor -> I/O thread -> client actor -> caller.
//
// Everything the client actor does for such a call happens here too, the same way: deadline
// across attempts and per-attempt timeout, retries with jittered exponential back-off (the plan's
// rule), the next untried node at once when nothing was delivered, marks and circuits (the
// selector shared with the client actor), the client's call metrics. Timeouts and back-offs run
// on a timer thread of their own. Plain C++: no CAF here.

#include <functional>
#include <memory>

#include "actors/call_plan.hpp"
#include "actors/shared_selector.hpp"
#include "actors/wire.hpp"
#include "transport/transport.hpp"

namespace micro::actors {

class direct_calls {
 public:
  /// Runs once per call, on whichever thread ends it (the caller's, a transport's I/O thread, the
  /// timer thread, a dialer): it must be quick and must not block.
  using completion = std::function<void(response)>;

  direct_calls(std::shared_ptr<shared_selector> selector, transport::transport_options options);
  /// Ends every call still under way with 503 (the client is going away) before it returns.
  ~direct_calls();
  direct_calls(const direct_calls&) = delete;
  direct_calls& operator=(const direct_calls&) = delete;

  /// Whether this path carries `plan`: every candidate is routed over a byte transport.
  static bool takes(const call_plan& plan);

  /// Starts a call (plan.candidates resolved, req.timeout_ns the whole call's). Failures become
  /// error responses, as the client actor's: 503, 408, or the node's own error.
  void call(call_plan plan, request req, completion done);

 private:
  struct state;
  std::shared_ptr<state> state_;
};

}  // namespace micro::actors
