#pragma once
// How an attempt of a unary call reaches its node, as the direct path (actors/direct_calls.hpp)
// sees it: `call_outcome` is what comes back (from a byte transport's connection or from CAF),
// `call_carrier` is the seam for carriers this path does not build itself (the caf one,
// actors/caf_carrier.hpp, which needs the actor system), so the direct path stays free of CAF.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "actors/wire.hpp"

namespace micro::actors {

struct call_outcome {
  enum class kind : uint8_t {
    answered,       // `rsp` is the node's response
    not_delivered,  // the request never left (dial failed, unknown transport, limit reached)
    lost,           // sent, and the connection closed before the answer
  };
  kind what = kind::answered;
  response rsp;
  std::string why;  // for not_delivered and lost
};

/// Runs once per attempt, on whichever thread learns its outcome: it must be quick.
using outcome_handler = std::function<void(uint64_t id, call_outcome)>;

class call_carrier {
 public:
  virtual ~call_carrier() = default;
  /// Sends attempt `id` (unique among this carrier's attempts under way) to the node at
  /// `address`; its outcome goes to the handler the carrier was made with, exactly once, unless
  /// forgotten first.
  virtual void call(const std::string& address, uint64_t id, const request& req) = 0;
  /// The attempt ended otherwise (its timeout): report nothing more for it, and do not send it if
  /// it still waits for a connection.
  virtual void forget(uint64_t id) = 0;
  /// Ends the carrier while what it runs on still exists (the actor system): nothing is reported
  /// after it returns. Called by the direct path's owner's thread; the carrier itself may be
  /// destroyed later, on any thread (the last holder of the direct path's state).
  virtual void close() {}
};

using carrier_factory = std::function<std::unique_ptr<call_carrier>(outcome_handler)>;

}  // namespace micro::actors
