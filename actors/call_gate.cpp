#include "actors/call_gate.hpp"

#include <deque>
#include <exception>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

#include "actors/worker_pool.hpp"

namespace micro::actors {

namespace {

constexpr const char* server_error_id = "micro.server";

}  // namespace

struct call_gate::state {
  settings cfg;
  std::map<std::string, endpoint_handler> endpoints;  // never changes after construction
  actor_launcher launch_actor_call;
  worker_pool pool;
  std::mutex mutex;  // guards what follows
  std::deque<gate_call> waiting;
  std::size_t running = 0;  // slots taken: functions on workers and calls out to user actors
  bool draining = false;
  std::function<void()> on_idle;

  state(settings s, std::map<std::string, endpoint_handler> e, actor_launcher l)
      : cfg{std::move(s)}, endpoints{std::move(e)}, launch_actor_call{std::move(l)}, pool{cfg.max_concurrency} {}

  // Counts the call out and answers it.
  void answer(gate_call& call, response rsp) {
    if (rsp.code != 0)
      cfg.counters->errors.fetch_add(1, std::memory_order_relaxed);
    if (call.handler->calls)
      call.handler->calls->finished(rsp.code, clock::now() - call.arrived);
    call.reply(rsp);
  }

  // Answers a call that no endpoint took (unknown endpoint, draining, expired deadline).
  void refuse(gate_call& call, metrics::call_series* series, response rsp) {
    cfg.counters->errors.fetch_add(1, std::memory_order_relaxed);
    if (series)
      series->refused(rsp.code, clock::now() - call.arrived);
    call.reply(rsp);
  }
};

namespace {

using gate_state = call_gate::state;

response shutting_down(const gate_state& st) {
  return make_error_response(503, server_error_id, "service " + st.cfg.service + " is shutting down");
}

response run_handler(const gate_call& call) {
  try {
    return call.handler->run(call.req, call.deadline);
  } catch (const std::exception& e) {
    return make_error_response(500, server_error_id, e.what());
  } catch (...) {
    return make_error_response(500, server_error_id, "handler threw a non-standard exception");
  }
}

// A slot was freed: what to do with it, decided under the lock, done outside it.
struct freed_slot {
  std::vector<gate_call> expired;  // waited past their deadline: 408
  std::optional<gate_call> next;   // takes over the slot
  std::function<void()> idle;      // drained: nothing runs or waits any more
};

freed_slot free_slot(gate_state& st) {
  freed_slot out;
  std::lock_guard lock{st.mutex};
  auto now = clock::now();
  while (!st.waiting.empty()) {
    auto call = std::move(st.waiting.front());
    st.waiting.pop_front();
    st.cfg.counters->queued.fetch_sub(1, std::memory_order_relaxed);
    if (now >= call.deadline) {
      out.expired.push_back(std::move(call));
      continue;
    }
    out.next = std::move(call);
    return out;
  }
  --st.running;
  if (st.draining && st.running == 0)
    out.idle = std::move(st.on_idle);
  return out;
}

void answer_expired(gate_state& st, std::vector<gate_call>& expired) {
  for (auto& call : expired)
    st.answer(call, make_error_response(408, server_error_id, "deadline expired while waiting for a free handler slot"));
}

// The calls of one worker job: the first, then whatever waits when it is done, on this thread
// (no hand-off per call while the service is saturated).
void run_on_worker(const std::shared_ptr<gate_state>& st, gate_call call);

// Starts a call that holds a slot. `on_worker`: the caller is a worker that may run it itself.
// Returns the call when the caller should run it.
std::optional<gate_call> start(const std::shared_ptr<gate_state>& st, gate_call call, bool on_worker) {
  st->cfg.counters->in_flight.fetch_add(1, std::memory_order_relaxed);
  if (call.handler->actor) {
    st->launch_actor_call(std::move(call));
    return std::nullopt;
  }
  if (on_worker)
    return call;
  st->pool.submit([st, call = std::move(call)]() mutable { run_on_worker(st, std::move(call)); });
  return std::nullopt;
}

// After a call finished: hands its slot to the next waiting call (returned when the caller, a
// worker, should run it) or frees it.
std::optional<gate_call> pass_slot_on(const std::shared_ptr<gate_state>& st, bool on_worker) {
  auto freed = free_slot(*st);
  answer_expired(*st, freed.expired);
  if (freed.idle)
    freed.idle();
  if (!freed.next)
    return std::nullopt;
  return start(st, std::move(*freed.next), on_worker);
}

void run_on_worker(const std::shared_ptr<gate_state>& st, gate_call call) {
  for (;;) {
    auto rsp = run_handler(call);
    // Counted out before the reply leaves: a caller's next Debug.Stats (answered inline) must
    // not see this call still in flight.
    st->cfg.counters->in_flight.fetch_sub(1, std::memory_order_relaxed);
    st->answer(call, std::move(rsp));
    auto next = pass_slot_on(st, true);
    if (!next)
      return;
    call = std::move(*next);
  }
}

}  // namespace

call_gate::call_gate(settings s, std::map<std::string, endpoint_handler> endpoints, actor_launcher launch_actor_call)
    : state_{std::make_shared<state>(std::move(s), std::move(endpoints), std::move(launch_actor_call))} {}

call_gate::~call_gate() = default;

bool call_gate::has_endpoint(const std::string& name) const { return state_->endpoints.count(name) > 0; }

void call_gate::accept(request req, reply_sink reply) {
  auto& st = *state_;
  auto now = clock::now();
  st.cfg.counters->requests.fetch_add(1, std::memory_order_relaxed);
  auto found = st.endpoints.find(req.endpoint);
  gate_call call{found == st.endpoints.end() ? nullptr : &found->second, std::move(req), now, {}, std::move(reply)};
  auto series = call.handler ? call.handler->calls : st.cfg.unknown_calls;
  bool draining;
  {
    std::lock_guard lock{st.mutex};
    draining = st.draining;
  }
  if (draining) {
    st.refuse(call, series, shutting_down(st));
    return;
  }
  if (!call.handler) {
    st.refuse(call, series,
              make_error_response(404, server_error_id, "service " + st.cfg.service + " has no endpoint " + call.req.endpoint));
    return;
  }
  if (call.req.timeout_ns <= 0) {
    st.refuse(call, series, make_error_response(408, server_error_id, "deadline expired before the request arrived"));
    return;
  }
  call.deadline = now + std::chrono::nanoseconds{call.req.timeout_ns};
  if (series)
    series->started();
  if (call.handler->run_on_actor) {
    auto rsp = run_handler(call);
    st.answer(call, std::move(rsp));
    return;
  }
  std::unique_lock lock{st.mutex};
  if (st.draining) {  // began since the check above: the drain must not wait for this call
    lock.unlock();
    st.answer(call, shutting_down(st));
    return;
  }
  if (st.running < st.cfg.max_concurrency) {
    ++st.running;
    lock.unlock();
    start(state_, std::move(call), false);
    return;
  }
  if (st.waiting.size() >= st.cfg.max_queue) {
    auto waiting = st.waiting.size();
    lock.unlock();
    st.answer(call, make_error_response(503, server_error_id,
                                        "service " + st.cfg.service + " is overloaded (" + std::to_string(waiting)
                                          + " requests waiting)"));
    return;
  }
  st.waiting.push_back(std::move(call));
  st.cfg.counters->queued.fetch_add(1, std::memory_order_relaxed);
}

void call_gate::finish_actor_call(gate_call& call, response rsp) {
  state_->cfg.counters->in_flight.fetch_sub(1, std::memory_order_relaxed);
  state_->answer(call, std::move(rsp));
  pass_slot_on(state_, false);
}

void call_gate::drain(std::function<void()> on_idle) {
  {
    std::lock_guard lock{state_->mutex};
    state_->draining = true;
    if (state_->running > 0 || !state_->waiting.empty()) {
      state_->on_idle = std::move(on_idle);
      return;
    }
  }
  on_idle();
}

}  // namespace micro::actors
