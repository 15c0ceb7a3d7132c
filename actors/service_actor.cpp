#include "actors/service_actor.hpp"

#include <deque>
#include <exception>
#include <thread>
#include <unordered_map>
#include <vector>

#include "actors/atoms.hpp"
#include "actors/default_handler.hpp"
#include "actors/reply_sink.hpp"
#include "actors/stream_endpoint.hpp"
#include "caf/all.hpp"

// Local only (the gate's launcher to this actor), never across nodes.
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::shared_ptr<micro::actors::gate_call>)

namespace micro::actors {

namespace {

constexpr const char* server_error_id = "micro.server";

using stream_done_atom = caf::atom_constant<caf::atom("m_sdone")>;
// Local only: a call to a user actor endpoint the gate admitted; a drained gate.
using actor_call_atom = caf::atom_constant<caf::atom("m_acall")>;
using gate_idle_atom = caf::atom_constant<caf::atom("m_gidle")>;
// Local only: the answer for a request that must be answered through its promise.
using promise_reply_atom = caf::atom_constant<caf::atom("m_preply")>;

struct service_state {
  service_spec spec;
  std::shared_ptr<call_gate> gate;
  bool gate_idle = false;  // drained: the gate has nothing running or waiting
  bool draining = false;
  std::vector<caf::response_promise> drain_waiters;
  // Requests with forwarding stages, answered through their promise (see reply_to).
  std::unordered_map<uint64_t, caf::response_promise> promises;
  uint64_t next_promise = 0;
  std::unordered_map<uint64_t, std::weak_ptr<stream_channel>> open_streams;  // handler running
  uint64_t next_stream = 0;
  static inline const char* name = "micro.service";
};

using service_self = caf::stateful_actor<service_state>;

void maybe_drained(service_self* self) {
  auto& st = self->state;
  if (!st.draining || !st.gate_idle || !st.open_streams.empty())
    return;
  for (auto& rp : st.drain_waiters)
    rp.deliver(true);
  st.drain_waiters.clear();
}

// Where the answer to a CAF request goes: straight into the requester's mailbox (see
// reply_to_requester), or, for a request with forwarding stages, through its promise on this actor.
reply_sink reply_to(service_self* self, caf::response_promise rp) {
  if (rp.stages().empty())
    return reply_to_requester(self, rp);
  caf::actor me = caf::actor_cast<caf::actor>(self);
  auto key = self->state.next_promise++;
  self->state.promises.emplace(key, std::move(rp));
  return reply_sink{[me, key](const response& rsp) { caf::anon_send(me, promise_reply_atom::value, key, rsp); }};
}

// A call to a user actor endpoint: a CAF request with the call's remaining time; the gate
// answers the caller and frees the slot.
void call_actor_endpoint(service_self* self, std::shared_ptr<gate_call> call) {
  auto remaining = call->deadline - clock::now();
  auto gate = self->state.gate;
  self->request(call->handler->actor, std::chrono::duration_cast<caf::timespan>(remaining), call->req)
    .then([gate, call](response& rsp) { gate->finish_actor_call(*call, std::move(rsp)); },
          [self, gate, call](caf::error& err) {
            auto code = err == caf::sec::request_timeout ? 408 : 500;
            gate->finish_actor_call(*call, make_error_response(code, server_error_id,
                                                               "actor handler failed: " + self->system().render(err)));
          });
}

// Runs a stream handler on a thread of its own: it blocks on the stream for as long as the
// stream lives, which may be hours, so it must not hold a slot of the request workers.
// Counts a stream as open until its stream_done_atom; returns its id.
uint64_t count_stream_open(service_self* self, const std::shared_ptr<stream_channel>& channel) {
  auto& st = self->state;
  auto id = st.next_stream++;
  st.open_streams.emplace(id, channel);
  st.spec.counters->streams_open.fetch_add(1, std::memory_order_relaxed);
  st.spec.counters->streams_total.fetch_add(1, std::memory_order_relaxed);
  return id;
}

void start_stream(service_self* self, const stream_handler& handler, request open,
                  std::shared_ptr<stream_channel> channel, clock::time_point deadline) {
  auto id = count_stream_open(self, channel);
  caf::actor me = caf::actor_cast<caf::actor>(self);
  std::thread{[me, id, fn = handler.run, open = std::move(open), channel = std::move(channel), deadline] {
    stream_end status;
    try {
      status = fn(open, channel, deadline);
    } catch (const std::exception& e) {
      status = stream_end{500, server_error_id, e.what()};
    } catch (...) {
      status = stream_end{500, server_error_id, "stream handler threw a non-standard exception"};
    }
    channel->finish_send(std::move(status));
    caf::anon_send(me, stream_done_atom::value, id);
  }}.detach();
}

struct accepted_stream {
  stream_end refusal;
  std::shared_ptr<stream_callbacks> callbacks;
  bool ok() const { return refusal.code == 0 && callbacks != nullptr; }
};

// An asynchronous stream endpoint: its open function runs here (it must not block) and gives
// the callbacks; no thread is started. The stream counts as open until its on_end ran.
accepted_stream accept_async_stream(service_self* self, const stream_handler& handler, const request& req,
                                    const std::shared_ptr<stream_channel>& channel, clock::time_point deadline) {
  accepted_stream out;
  try {
    auto acceptance = handler.open(req, channel, deadline);
    out.refusal = std::move(acceptance.refusal);
    out.callbacks = std::move(acceptance.callbacks);
  } catch (const std::exception& e) {
    out.refusal = stream_end{500, server_error_id, e.what()};
  } catch (...) {
    out.refusal = stream_end{500, server_error_id, "stream open threw a non-standard exception"};
  }
  if (out.refusal.code == 0 && !out.callbacks)
    out.refusal = stream_end{500, server_error_id, "the stream endpoint gave no callbacks"};
  if (!out.ok())
    return out;
  auto id = count_stream_open(self, channel);
  caf::actor me = caf::actor_cast<caf::actor>(self);
  auto user_end = std::move(out.callbacks->on_end);
  out.callbacks->on_end = [me, id, user_end = std::move(user_end)](const stream_end& final_status) {
    caf::anon_send(me, stream_done_atom::value, id);
    if (user_end)
      user_end(final_status);
  };
  return out;
}

// Checks an open and starts the stream, or says why not.
caf::result<caf::message> open_stream(service_self* self, request& req, uint32_t window, int64_t stream_timeout_ns,
                                      caf::actor& client_end) {
  auto& st = self->state;
  auto refuse = [](int32_t code, std::string detail) {
    return caf::result<caf::message>{caf::make_message(make_error_response(code, server_error_id, std::move(detail)))};
  };
  if (st.draining)
    return refuse(503, "service " + st.spec.name + " is shutting down");
  auto it = st.spec.streams.find(req.endpoint);
  if (it == st.spec.streams.end()) {
    if (st.gate->has_endpoint(req.endpoint))
      return refuse(400, req.endpoint + " of " + st.spec.name + " is not a stream endpoint: call it instead");
    return refuse(404, "service " + st.spec.name + " has no stream endpoint " + req.endpoint);
  }
  if (window == 0)
    return refuse(400, "a stream's window must be at least 1 message");
  if (!client_end)
    return refuse(400, "a stream open without the client's endpoint");
  if (req.timeout_ns <= 0)
    return refuse(408, "deadline expired before the stream open arrived");
  if (st.open_streams.size() >= st.spec.max_streams)
    return refuse(503, "service " + st.spec.name + " has " + std::to_string(st.open_streams.size())
                         + " streams open, its limit");
  auto deadline = stream_timeout_ns > 0 ? clock::now() + std::chrono::nanoseconds{stream_timeout_ns}
                                        : clock::time_point::max();
  auto channel = std::make_shared<stream_channel>(st.spec.stream_window);
  if (it->second.open) {
    channel->add_credit(window);  // the open function may send at once (queued behind the hello)
    auto callbacks = accept_async_stream(self, it->second, req, channel, deadline);
    if (!callbacks.ok())
      return refuse(callbacks.refusal.code, callbacks.refusal.detail);
    auto server_end = spawn_server_stream(self->system(), channel, client_end, 0, stream_timeout_ns,
                                          std::move(callbacks.callbacks));
    return self->delegate(server_end, stream_open_atom::value);
  }
  auto server_end = spawn_server_stream(self->system(), channel, client_end, window, stream_timeout_ns);
  start_stream(self, it->second, std::move(req), std::move(channel), deadline);
  // The server endpoint says hello to the client's and answers the open, in that order.
  return self->delegate(server_end, stream_open_atom::value);
}

caf::behavior service_actor(service_self* self, service_spec spec, std::shared_ptr<call_gate> gate) {
  self->state.spec = std::move(spec);
  self->state.gate = std::move(gate);
  install_default_handler(self);
  return {
    [self](request& req) -> caf::result<response> {
      auto rp = self->make_response_promise();
      self->state.gate->accept(std::move(req), reply_to(self, rp));
      return rp;
    },
    [self](actor_call_atom, std::shared_ptr<gate_call>& call) { call_actor_endpoint(self, std::move(call)); },
    [self](promise_reply_atom, uint64_t key, response& rsp) {
      auto& st = self->state;
      auto it = st.promises.find(key);
      if (it == st.promises.end())
        return;
      auto rp = std::move(it->second);
      st.promises.erase(it);
      rp.deliver(std::move(rsp));
    },
    [self](gate_idle_atom) {
      self->state.gate_idle = true;
      maybe_drained(self);
    },
    [self](stream_open_atom, request& req, uint32_t window, int64_t stream_timeout_ns, caf::actor& client_end) {
      return open_stream(self, req, window, stream_timeout_ns, client_end);
    },
    [self](stream_done_atom, uint64_t id) {
      auto& st = self->state;
      if (st.open_streams.erase(id) > 0)
        st.spec.counters->streams_open.fetch_sub(1, std::memory_order_relaxed);
      maybe_drained(self);
    },
    [self](drain_atom) -> caf::result<bool> {
      auto& st = self->state;
      auto rp = self->make_response_promise();
      st.drain_waiters.push_back(rp);
      if (!st.draining) {
        st.draining = true;
        // Calls: new ones get 503, running and waiting ones finish.
        caf::actor me = caf::actor_cast<caf::actor>(self);
        st.gate->drain([me] { caf::anon_send(me, gate_idle_atom::value); });
        // Streams may live for hours: they end now, with a code that tells the client to go to
        // another node, and the drain waits (bounded) for their handlers to return.
        for (auto& kv : st.open_streams)
          if (auto channel = kv.second.lock())
            channel->cancel(stream_end{503, server_error_id, "service " + st.spec.name + " is shutting down"});
      }
      maybe_drained(self);
      return rp;
    },
  };
}

}  // namespace

reply_sink reply_to_requester(caf::local_actor* self, const caf::response_promise& rp) {
  auto requester = rp.source();
  if (!requester)
    return reply_sink{[](const response&) {}};  // nobody waits for this answer
  auto me = caf::actor_cast<caf::strong_actor_ptr>(self->ctrl());
  return reply_sink{[me, requester, id = rp.id().response_id()](const response& rsp) {
    requester->enqueue(me, id, caf::make_message(rsp), nullptr);
  }};
}

service_handle spawn_service_actor(caf::actor_system& sys, service_spec spec) {
  // The gate sends calls to user actor endpoints to this actor (it makes the CAF requests);
  // weak, so the gate the actor holds does not keep the actor alive.
  auto me = std::make_shared<caf::weak_actor_ptr>();
  call_gate::settings settings{spec.name, spec.max_concurrency, spec.max_queue, spec.counters, spec.unknown_calls};
  auto gate = std::make_shared<call_gate>(std::move(settings), std::move(spec.endpoints), [me](gate_call call) {
    if (auto actor = caf::actor_cast<caf::actor>(*me))
      caf::anon_send(actor, actor_call_atom::value, std::make_shared<gate_call>(std::move(call)));
    // else: the service is gone; dropping the call answers it with 503 (reply_sink)
  });
  spec.endpoints.clear();
  auto actor = sys.spawn(service_actor, std::move(spec), gate);
  *me = caf::actor_cast<caf::weak_actor_ptr>(actor);
  return {std::move(actor), std::move(gate)};
}

}  // namespace micro::actors
