#pragma once
// The calling side of the byte transports (tcp, memory): one connection per node, dialed on
// first use (on a thread of its own, never the caller's) and reused by every later call; calls
// multiplexed by id and their responses matched back. No CAF here: outcomes go to a callback
// (the direct path, actors/direct_calls.hpp, marks and completes the call right there; the client
// actor, for a call whose candidates mix transports, turns them into its own messages).

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "actors/wire.hpp"
#include "transport/transport.hpp"

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

class transport_client {
 public:
  using outcome_handler = std::function<void(uint64_t id, call_outcome)>;

  /// `on_outcome` runs once per call, on a transport or dialer thread: it must be quick.
  /// `options` (limits, TLS) apply to every connection this client dials.
  explicit transport_client(outcome_handler on_outcome, transport::transport_options options = {});
  ~transport_client();
  transport_client(const transport_client&) = delete;
  transport_client& operator=(const transport_client&) = delete;

  /// Calls the node reached over `transport` ("tcp", "memory") at `address`. `id` must be unique
  /// among this client's calls in flight. A transport this client cannot speak is
  /// not_delivered, with a reason that names it.
  void call(const std::string& transport, const std::string& address, uint64_t id, const request& req);

  /// The transports call() speaks.
  static bool speaks(const std::string& transport);

 private:
  struct state;
  std::shared_ptr<state> state_;
};

}  // namespace micro::actors
