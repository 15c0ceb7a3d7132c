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
#include "actors/worker_pool.hpp"
#include "caf/all.hpp"

namespace micro::actors {

namespace {

constexpr const char* server_error_id = "micro.server";

using stream_done_atom = caf::atom_constant<caf::atom("m_sdone")>;

// Whom a call's response goes to: the promise of a CAF request, or (a request that came over a
// byte transport) the sink that writes to its connection.
struct reply_target {
  caf::response_promise promise;
  reply_sink sink;
  void deliver(response rsp) {
    if (sink)
      sink(rsp);
    else
      promise.deliver(std::move(rsp));
  }
};

struct queued_call {
  request req;
  clock::time_point deadline;
  reply_target to;
  clock::time_point arrived;
  metrics::call_series* calls = nullptr;  // counted in at arrival, out at the reply
};

// A call a handler runs: whom to answer, and what to record then.
struct running_call {
  reply_target to;
  metrics::call_series* calls = nullptr;
  clock::time_point arrived;
};

struct service_state {
  service_spec spec;
  std::unique_ptr<worker_pool> pool;
  std::deque<queued_call> waiting;
  std::unordered_map<uint64_t, running_call> running;
  uint64_t next_job = 0;
  bool draining = false;
  std::vector<caf::response_promise> drain_waiters;
  std::unordered_map<uint64_t, std::weak_ptr<stream_channel>> open_streams;  // handler running
  uint64_t next_stream = 0;
  static inline const char* name = "micro.service";
};

using service_self = caf::stateful_actor<service_state>;

void finish(service_self* self, reply_target& to, response rsp) {
  if (rsp.code != 0)
    self->state.spec.counters->errors.fetch_add(1, std::memory_order_relaxed);
  to.deliver(std::move(rsp));
}

// finish() for a call counted in at its arrival.
void finish(service_self* self, reply_target& to, response rsp, metrics::call_series* calls,
            clock::time_point arrived) {
  if (calls)
    calls->finished(rsp.code, clock::now() - arrived);
  finish(self, to, std::move(rsp));
}

// finish() for a call refused before any endpoint took it (unknown endpoint, draining).
void refuse(service_self* self, reply_target& to, response rsp, metrics::call_series* calls,
            clock::time_point arrived) {
  if (calls)
    calls->refused(rsp.code, clock::now() - arrived);
  finish(self, to, std::move(rsp));
}

void maybe_drained(service_self* self) {
  auto& st = self->state;
  if (!st.draining || !st.running.empty() || !st.waiting.empty() || !st.open_streams.empty())
    return;
  for (auto& rp : st.drain_waiters)
    rp.deliver(true);
  st.drain_waiters.clear();
}

// Runs a function endpoint on a worker (or hands the request to an actor endpoint); a `done`
// message frees the slot, so every piece of state is touched only by this actor.
void start(service_self* self, queued_call call) {
  auto& st = self->state;
  auto it = st.spec.endpoints.find(call.req.endpoint);
  auto& handler = it->second;
  st.spec.counters->in_flight.fetch_add(1, std::memory_order_relaxed);
  if (handler.actor) {
    auto remaining = call.deadline - clock::now();
    auto id = st.next_job++;
    st.running.emplace(id, running_call{std::move(call.to), call.calls, call.arrived});
    self->request(handler.actor, std::chrono::duration_cast<caf::timespan>(remaining), std::move(call.req))
      .then(
        [self, id](response& rsp) { self->send(self, done_atom::value, id, std::move(rsp)); },
        [self, id](caf::error& err) {
          auto code = err == caf::sec::request_timeout ? 408 : 500;
          self->send(self, done_atom::value, id,
                     make_error_response(code, server_error_id,
                                         "actor handler failed: " + self->system().render(err)));
        });
    return;
  }
  auto id = st.next_job++;
  // The worker answers the caller itself, so the reply does not wait for this actor to be
  // scheduled again (one thread wake-up less on every call's path); `done` then only frees the
  // slot. Over a byte transport it writes to the connection (the sink); over CAF it enqueues the
  // response to the requester. A delegated request with forwarding stages is answered through
  // the promise instead.
  auto sink = call.to.sink;
  caf::strong_actor_ptr reply_to =
    !sink && call.to.promise.stages().empty() ? call.to.promise.source() : nullptr;
  auto reply_id = call.to.promise.id().response_id();
  st.running.emplace(id, running_call{std::move(call.to), call.calls, call.arrived});
  auto fn = handler.run;
  caf::actor me = caf::actor_cast<caf::actor>(self);
  auto counters = st.spec.counters;
  st.pool->submit([me, id, fn, counters, sink, reply_to, reply_id, req = std::move(call.req), deadline = call.deadline,
                   calls = call.calls, arrived = call.arrived]() mutable {
    response rsp;
    try {
      rsp = fn(req, deadline);
    } catch (const std::exception& e) {
      rsp = make_error_response(500, server_error_id, e.what());
    } catch (...) {
      rsp = make_error_response(500, server_error_id, "handler threw a non-standard exception");
    }
    if (!reply_to && !sink) {
      caf::anon_send(me, done_atom::value, id, std::move(rsp));
      return;
    }
    if (rsp.code != 0)
      counters->errors.fetch_add(1, std::memory_order_relaxed);
    // Counted out before the reply leaves: a caller's next Debug.Stats (answered inline, on the
    // service actor or a transport's I/O thread) must not see this call still in flight.
    counters->in_flight.fetch_sub(1, std::memory_order_relaxed);
    if (calls)
      calls->finished(rsp.code, clock::now() - arrived);
    if (sink)
      sink(rsp);
    else
      reply_to->enqueue(caf::actor_cast<caf::strong_actor_ptr>(me), reply_id, caf::make_message(std::move(rsp)), nullptr);
    caf::anon_send(me, done_atom::value, id);
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
    if (st.spec.endpoints.count(req.endpoint) > 0)
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

void start_waiting(service_self* self) {
  auto& st = self->state;
  while (!st.waiting.empty() && st.running.size() < st.spec.max_concurrency) {
    auto call = std::move(st.waiting.front());
    st.waiting.pop_front();
    st.spec.counters->queued.fetch_sub(1, std::memory_order_relaxed);
    if (clock::now() >= call.deadline) {
      finish(self, call.to,
             make_error_response(408, server_error_id,
                                 "deadline expired while waiting for a free handler slot"),
             call.calls, call.arrived);
      continue;
    }
    start(self, std::move(call));
  }
}

// A request arrives: refused, run here (inline endpoints), or queued for a worker.
void accept(service_self* self, request& req, reply_target to) {
  auto& st = self->state;
  auto now = clock::now();
  st.spec.counters->requests.fetch_add(1, std::memory_order_relaxed);
  auto found = st.spec.endpoints.find(req.endpoint);
  if (st.draining) {
    refuse(self, to, make_error_response(503, server_error_id, "service " + st.spec.name + " is shutting down"),
           found == st.spec.endpoints.end() ? st.spec.unknown_calls : found->second.calls, now);
    return;
  }
  if (found == st.spec.endpoints.end()) {
    refuse(self, to, make_error_response(404, server_error_id, "service " + st.spec.name + " has no endpoint " + req.endpoint),
           st.spec.unknown_calls, now);
    return;
  }
  auto& handler = found->second;
  if (req.timeout_ns <= 0) {
    refuse(self, to, make_error_response(408, server_error_id, "deadline expired before the request arrived"),
           handler.calls, now);
    return;
  }
  auto deadline = now + std::chrono::nanoseconds{req.timeout_ns};
  if (handler.calls)
    handler.calls->started();
  if (handler.run_on_actor) {
    response rsp;
    try {
      rsp = handler.run(req, deadline);
    } catch (const std::exception& e) {
      rsp = make_error_response(500, server_error_id, e.what());
    } catch (...) {
      rsp = make_error_response(500, server_error_id, "handler threw a non-standard exception");
    }
    finish(self, to, std::move(rsp), handler.calls, now);
    return;
  }
  if (st.waiting.size() >= st.spec.max_queue) {
    finish(self, to,
           make_error_response(503, server_error_id,
                               "service " + st.spec.name + " is overloaded (" + std::to_string(st.waiting.size())
                                 + " requests waiting)"),
           handler.calls, now);
    return;
  }
  st.waiting.push_back(queued_call{std::move(req), deadline, std::move(to), now, handler.calls});
  st.spec.counters->queued.fetch_add(1, std::memory_order_relaxed);
  start_waiting(self);
}

caf::behavior service_actor(service_self* self, service_spec spec) {
  self->state.spec = std::move(spec);
  self->state.pool = std::make_unique<worker_pool>(self->state.spec.max_concurrency);
  install_default_handler(self);
  return {
    [self](request& req) -> caf::result<response> {
      auto rp = self->make_response_promise();
      accept(self, req, reply_target{rp, {}});
      return rp;
    },
    [self](request& req, reply_sink& sink) { accept(self, req, reply_target{{}, std::move(sink)}); },
    [self](done_atom, uint64_t id, response& rsp) {
      auto& st = self->state;
      auto it = st.running.find(id);
      if (it == st.running.end())
        return;
      auto call = std::move(it->second);
      st.running.erase(it);
      st.spec.counters->in_flight.fetch_sub(1, std::memory_order_relaxed);
      finish(self, call.to, std::move(rsp), call.calls, call.arrived);
      start_waiting(self);
      maybe_drained(self);
    },
    [self](done_atom, uint64_t id) {  // the worker answered the caller itself (and counted it out)
      auto& st = self->state;
      if (st.running.erase(id) == 0)
        return;
      start_waiting(self);
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
      st.draining = true;
      // Streams may live for hours: they end now, with a code that tells the client to go to
      // another node, and the drain waits (bounded) for their handlers to return.
      for (auto& kv : st.open_streams)
        if (auto channel = kv.second.lock())
          channel->cancel(stream_end{503, server_error_id, "service " + st.spec.name + " is shutting down"});
      auto rp = self->make_response_promise();
      st.drain_waiters.push_back(rp);
      maybe_drained(self);
      return rp;
    },
  };
}

}  // namespace

caf::actor spawn_service_actor(caf::actor_system& sys, service_spec spec) {
  return sys.spawn(service_actor, std::move(spec));
}

}  // namespace micro::actors
