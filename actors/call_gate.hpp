#pragma once
// A service's admission of calls, usable from any thread: at most `max_concurrency` handlers run
// at once, up to `max_queue` calls wait for a slot (beyond: 503), a call whose deadline passed
// while it waited gets 408, and after drain() new calls get 503. The byte transports' I/O thread
// and the service actor (calls over CAF) both hand requests to it, so a request reaches a worker
// thread in one hand-off, with no actor mailbox in between, and a worker that finishes takes the
// next waiting call itself instead of handing it on.
//
// Where each endpoint runs:
// - run_on_actor (micro's Debug.* and endpoints declared inline): on the thread that called
//   accept(), at once, outside the concurrency limit (a health check answers while every slot is
//   busy);
// - a function: on a worker of the gate's pool;
// - a user actor (handle_with_actor): the launcher given at construction sends the call to it and
//   reports the answer with finish_actor_call().

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "actors/endpoint.hpp"
#include "actors/reply_sink.hpp"
#include "actors/wire.hpp"
#include "caf/allowed_unsafe_message_type.hpp"
#include "metrics/rpc.hpp"

namespace micro::actors {

/// One admitted call to a user actor endpoint, for the launcher.
struct gate_call {
  const endpoint_handler* handler = nullptr;  // the gate's own entry: valid while the gate lives
  request req;
  clock::time_point arrived;
  clock::time_point deadline;
  reply_sink reply;
};

class call_gate {
 public:
  struct settings {
    std::string service;
    std::size_t max_concurrency = 64;
    std::size_t max_queue = 4096;
    std::shared_ptr<service_counters> counters;
    metrics::call_series* unknown_calls = nullptr;  // null when metrics are off
  };
  /// Runs a call to a user actor endpoint without blocking; its answer goes to
  /// finish_actor_call(). Called from any thread.
  using actor_launcher = std::function<void(gate_call)>;

  call_gate(settings s, std::map<std::string, endpoint_handler> endpoints, actor_launcher launch_actor_call);
  ~call_gate();
  call_gate(const call_gate&) = delete;
  call_gate& operator=(const call_gate&) = delete;

  /// Answers, starts or queues the call; `reply` gets the response exactly once, from whichever
  /// thread has it. Never blocks, except in an inline endpoint's own code.
  void accept(request req, reply_sink reply);
  /// A user actor endpoint answered (or failed) the call the launcher got: replies and frees its slot.
  void finish_actor_call(gate_call& call, response rsp);
  /// From now on new calls get 503; `on_idle` runs once (on some thread) when nothing runs or
  /// waits any more, at once if that is already so.
  void drain(std::function<void()> on_idle);
  bool has_endpoint(const std::string& name) const;

  struct state;  // shared with the workers: a handler may outlive the gate (see worker_pool)

 private:
  std::shared_ptr<state> state_;
};

}  // namespace micro::actors

// Handed to the node actor with its service (actors/node_actor.hpp): local only, never across nodes.
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::shared_ptr<micro::actors::call_gate>)
