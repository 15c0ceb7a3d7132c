#pragma once
// The client's direct path for unary calls: no client actor on the way. The attempt is picked
// (shared selector) and sent from the caller's thread: queued on the node's connection when the
// node takes calls over a byte transport (tcp, memory), or sent to its node actor over CAF by
// the caf carrier (actors/caf_carrier.hpp). The thread that gets the reply (the transport's I/O
// thread, CAF's middleman) marks the node and completes the call itself (the caller's `done`).
// Per call, on the client: caller -> I/O thread -> caller, where the client actor's path was
// caller -> client actor -> I/O thread -> client actor -> caller.
//
// Everything the client actor does for such a call happens here too, the same way: deadline
// across attempts and per-attempt timeout, retries with jittered exponential back-off (the plan's
// rule), the next untried node at once when nothing was delivered, marks and circuits (the
// selector shared with the client actor), the client's call metrics. Timeouts and back-offs run
// on a timer thread of their own. Plain C++: no CAF here.

#include <functional>
#include <memory>

#include "actors/call_carrier.hpp"
#include "actors/call_plan.hpp"
#include "actors/shared_selector.hpp"
#include "actors/wire.hpp"
#include "transport/transport.hpp"

namespace micro::actors {

class transport_client;

class direct_calls {
 public:
  /// Runs once per call, on whichever thread ends it (the caller's, a transport's I/O thread, the
  /// timer thread, a dialer): it must be quick and must not block.
  using completion = std::function<void(response)>;

  /// `over_caf` makes the carrier for nodes that take calls over CAF; without it this path takes
  /// only plans whose every candidate is routed over a byte transport.
  direct_calls(std::shared_ptr<shared_selector> selector, transport::transport_options options,
               carrier_factory over_caf = {});
  /// Ends every call still under way with 503 (the client is going away) before it returns.
  ~direct_calls();
  direct_calls(const direct_calls&) = delete;
  direct_calls& operator=(const direct_calls&) = delete;

  /// Whether this path carries `plan`: it has candidates, and each is routed over a byte
  /// transport or this path has a caf carrier.
  bool takes(const call_plan& plan) const;

  /// Starts a call (plan.candidates resolved, req.timeout_ns the whole call's). Failures become
  /// error responses, as the client actor's: 503, 408, or the node's own error.
  void call(call_plan plan, request req, completion done);

  /// Its connections (made on first use, one per node): the process's broker actor sends its
  /// publication batches on them too (actors/broker_actor.hpp), so a node pair shares one.
  std::shared_ptr<transport_client> transports() const;

 private:
  struct state;
  std::shared_ptr<state> state_;
};

}  // namespace micro::actors
