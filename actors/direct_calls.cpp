#include "actors/direct_calls.hpp"

#include <algorithm>
#include <mutex>
#include <random>
#include <unordered_map>
#include <vector>

#include "actors/timer_thread.hpp"
#include "actors/transport_client.hpp"
#include "metrics/metrics.hpp"
#include "metrics/rpc.hpp"

namespace micro::actors {

namespace {

constexpr const char* client_error_id = "micro.client";

using steady = std::chrono::steady_clock;

// One call across its attempts. Owned by exactly one thread at a time: whoever took it out of
// `attempts` or `backing_off` (under the state's mutex), or the caller until it is first sent.
struct pending_call {
  call_plan plan;
  request req;
  direct_calls::completion done;
  steady::time_point deadline;  // the whole call's, across attempts
  steady::time_point started;   // when the caller asked
  std::vector<std::string> tried;
  std::size_t retries_used = 0;
  int attempt = 0;
  // The attempt under way.
  std::string address;
  steady::time_point attempt_started;
  bool probe = false;               // it is its node's half-open probe
  bool over_caf = false;            // sent by the caf carrier
  timer_thread::handle timeout{};   // written under the state's mutex
  metrics::call_series* calls = nullptr;  // null when metrics are off
};

using call_ptr = std::shared_ptr<pending_call>;

// Whether a failure says something about the node (a 4xx says something about the request).
bool counts_against_node(attempt_failure kind, const response& err) {
  return kind != attempt_failure::handler_error || err.code >= 500;
}

}  // namespace

struct direct_calls::state {
  std::shared_ptr<shared_selector> selector;
  std::shared_ptr<transport_client> transports;  // set once, right after construction (shared with the broker)
  std::unique_ptr<call_carrier> over_caf;        // likewise, when the path takes calls over CAF
  bool tls_enabled = false;                      // whether this process dials TLS
  timer_thread timers;  // attempt timeouts and retry back-offs; callbacks use `this` (see ~direct_calls)
  std::mutex mutex;     // guards everything below
  std::unordered_map<uint64_t, call_ptr> attempts;     // sent, awaiting their outcome, by attempt id
  std::unordered_map<uint64_t, call_ptr> backing_off;  // waiting for their retry
  std::unordered_map<std::string, metrics::call_series*> series;  // by service + '\0' + endpoint
  std::minstd_rand rng{std::random_device{}()};
  uint64_t next_id = 1;
  bool stopping = false;

  // Every call ends here: metrics, then the caller.
  static void settle(pending_call& c, response rsp) {
    if (c.calls)
      c.calls->finished(rsp.code, steady::now() - c.started);
    auto done = std::move(c.done);
    done(std::move(rsp));
  }

  metrics::call_series* series_of(const request& req) {
    if (!metrics::enabled())
      return nullptr;
    std::string key;
    key.reserve(req.service.size() + req.endpoint.size() + 1);
    key += req.service;
    key += '\0';
    key += req.endpoint;
    std::lock_guard lock{mutex};
    auto it = series.find(key);
    if (it == series.end())
      it = series.emplace(std::move(key), metrics::client_calls(req.service, req.endpoint)).first;
    return it->second;
  }

  void start(call_ptr c) {
    if ((c->calls = series_of(c->req)))
      c->calls->started();
    dispatch(std::move(c));
  }

  // Starts the next attempt on the node the selector picks, within the time left.
  void dispatch(call_ptr c) {
    auto now = steady::now();
    auto left = std::chrono::duration_cast<std::chrono::nanoseconds>(c->deadline - now).count();
    if (left <= 0) {
      settle(*c, make_error_response(408, client_error_id,
                                     "call to " + c->req.service + " timed out before a node could answer"));
      return;
    }
    auto bound = c->plan.attempt_timeout.count();
    c->req.timeout_ns = bound > 0 ? std::min<int64_t>(left, bound) : left;
    std::string why;
    auto picked = selector->pick(c->req.service, c->plan.strategy, c->plan.candidates, c->tried, now, why);
    if (!picked) {
      settle(*c, make_error_response(503, client_error_id, "no node of " + c->req.service + " to call: " + why));
      return;
    }
    c->address = std::move(picked->address);
    c->probe = picked->probe;
    c->tried.push_back(c->address);
    ++c->attempt;
    c->attempt_started = now;
    auto route = c->plan.routes.find(c->address);
    c->over_caf = route == c->plan.routes.end();
    if (c->over_caf && !over_caf) {  // takes() said every candidate has a route
      selector->finished(c->address, c->probe);
      settle(*c, make_error_response(500, client_error_id, "no transport route to " + c->address));
      return;
    }
    if (c->over_caf && c->plan.tls_nodes.count(c->address) != 0 && !tls_enabled) {
      // The node says it serves over TLS: tell the caller why, rather than a handshake timing out.
      attempt_failed(std::move(c), attempt_failure::not_delivered,
                     make_error_response(503, client_error_id,
                                         "the node at " + c->address + " serves over TLS and TLS is off here: "
                                         "set MICRO_TLS_CA (and MICRO_TLS_CERT/KEY for mutual TLS)"));
      return;
    }
    const auto timeout = std::chrono::nanoseconds{c->req.timeout_ns};
    uint64_t id = 0;
    {
      std::lock_guard lock{mutex};
      if (!stopping) {
        id = next_id++;
        attempts.emplace(id, c);
      }
    }
    if (id == 0) {
      selector->finished(c->address, c->probe);
      settle(*c, make_error_response(503, client_error_id, "the client is shutting down"));
      return;
    }
    // From here on the attempt may end on another thread at any moment: `c` is read only by
    // the send (which encodes the request before anything can answer it), then only by its new
    // owner. The timeout is armed afterwards, and only if the outcome has not come first, so a
    // fast answer leaves no entry behind in the timer.
    if (c->over_caf)
      over_caf->call(c->address, id, c->req);
    else
      transports->call(route->second.transport, route->second.address, id, c->req);
    std::lock_guard lock{mutex};
    if (auto it = attempts.find(id); it != attempts.end())
      it->second->timeout = timers.add(now + timeout, [this, id, timeout] { timed_out(id, timeout); });
  }

  // Takes the attempt `id` from `attempts`, with its timer cancelled; null if another thread
  // (its outcome, its timeout, shutdown) took it first.
  call_ptr take(uint64_t id) {
    call_ptr c;
    timer_thread::handle h;
    {
      std::lock_guard lock{mutex};
      auto it = attempts.find(id);
      if (it == attempts.end())
        return nullptr;
      c = std::move(it->second);
      attempts.erase(it);
      h = c->timeout;
    }
    if (h != timer_thread::handle{})
      timers.cancel(h);
    return c;
  }

  void on_outcome(uint64_t id, call_outcome&& o) {
    auto c = take(id);
    if (!c)
      return;  // timed out already
    switch (o.what) {
      case call_outcome::kind::answered:
        answered(std::move(c), std::move(o.rsp));
        return;
      case call_outcome::kind::not_delivered:
        attempt_failed(std::move(c), attempt_failure::not_delivered, make_error_response(503, client_error_id, o.why));
        return;
      case call_outcome::kind::lost: {
        auto why = "call to " + c->address + " failed: " + o.why;
        attempt_failed(std::move(c), attempt_failure::node_lost, make_error_response(503, client_error_id, why));
        return;
      }
    }
  }

  void timed_out(uint64_t id, std::chrono::nanoseconds timeout) {
    // Only the timer's own entry is gone here: take() finds the attempt unless its outcome won.
    auto c = take(id);
    if (!c)
      return;
    if (c->over_caf)
      over_caf->forget(id);  // not sent yet if its node's connection is still being made
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(timeout).count();
    auto why = "call to " + c->address + " timed out after " + std::to_string(ms) + " ms";
    attempt_failed(std::move(c), attempt_failure::timeout, make_error_response(408, client_error_id, why));
  }

  void answered(call_ptr c, response rsp) {
    if (rsp.code == 0) {
      selector->succeeded(c->req.service, c->address, steady::now() - c->attempt_started);
      settle(*c, std::move(rsp));
      return;
    }
    auto kind = rsp.code == 503 ? attempt_failure::refused
                : rsp.code == 408 ? attempt_failure::timeout
                                  : attempt_failure::handler_error;
    attempt_failed(std::move(c), kind, std::move(rsp));
  }

  // An attempt failed: mark the node, then retry (after a back-off) or give the caller `err`.
  void attempt_failed(call_ptr c, attempt_failure kind, response err) {
    selector->failed(c->req.service, c->address, counts_against_node(kind, err), kind == attempt_failure::not_delivered,
                     steady::now(), c->probe);
    if (kind == attempt_failure::not_delivered) {
      // Nothing reached a handler: the next node is tried at once, without using a retry, as
      // long as an untried one is left.
      for (auto& candidate : c->plan.candidates)
        if (std::find(c->tried.begin(), c->tried.end(), candidate) == c->tried.end()) {
          dispatch(std::move(c));
          return;
        }
    }
    failed_attempt info{c->attempt, &err, kind};
    bool again = c->retries_used < c->plan.retries && c->plan.retry && c->plan.retry(info);
    if (!again) {
      settle(*c, std::move(err));
      return;
    }
    // Exponential back-off with jitter (x0.5 .. x1.5), never past the deadline.
    auto base = c->plan.backoff * (1LL << std::min<std::size_t>(c->retries_used, 16));
    std::uniform_real_distribution<double> jitter{0.5, 1.5};
    ++c->retries_used;
    if (c->calls)
      c->calls->retried();
    uint64_t id = 0;
    std::chrono::nanoseconds delay{0};
    {
      std::lock_guard lock{mutex};
      delay = std::chrono::duration_cast<std::chrono::nanoseconds>(base * jitter(rng));
      if (!stopping && steady::now() + delay < c->deadline) {
        id = next_id++;
        backing_off.emplace(id, c);
      }
    }
    if (id == 0) {
      settle(*c, std::move(err));
      return;
    }
    timers.add(steady::now() + delay, [this, id] { retry_due(id); });
  }

  void retry_due(uint64_t id) {
    call_ptr c;
    {
      std::lock_guard lock{mutex};
      auto it = backing_off.find(id);
      if (it == backing_off.end())
        return;  // shut down meanwhile
      c = std::move(it->second);
      backing_off.erase(it);
    }
    dispatch(std::move(c));
  }

  // No call is left hanging: the timer stops (its callbacks use `this`), every call under way
  // gets 503. An outcome that arrives later finds nothing to complete.
  void shut_down() {
    std::vector<call_ptr> sent, waiting;
    {
      std::lock_guard lock{mutex};
      stopping = true;
      for (auto& kv : attempts)
        sent.push_back(std::move(kv.second));
      for (auto& kv : backing_off)
        waiting.push_back(std::move(kv.second));  // their last attempt is marked already
      attempts.clear();
      backing_off.clear();
    }
    timers.stop();
    for (auto& c : sent)
      selector->finished(c->address, c->probe);
    for (auto* calls : {&sent, &waiting})
      for (auto& c : *calls)
        settle(*c, make_error_response(503, client_error_id, "the client is shutting down"));
  }
};

direct_calls::direct_calls(std::shared_ptr<shared_selector> selector, transport::transport_options options,
                           carrier_factory over_caf)
  : state_{std::make_shared<state>()} {
  state_->selector = std::move(selector);
  state_->tls_enabled = options.tls.enabled();
  std::weak_ptr<state> weak = state_;
  auto on_outcome = [weak](uint64_t id, call_outcome o) {
    if (auto s = weak.lock())
      s->on_outcome(id, std::move(o));
  };
  state_->transports = std::make_shared<transport_client>(on_outcome, std::move(options));
  if (over_caf)
    state_->over_caf = over_caf(on_outcome);
}

direct_calls::~direct_calls() {
  state_->shut_down();
  // The state may outlive this (a transport's I/O thread finishing an outcome holds it a moment
  // longer, and then destroys it): the caf carrier is ended here, while the actor system it
  // runs on certainly still exists.
  if (state_->over_caf)
    state_->over_caf->close();
}

std::shared_ptr<transport_client> direct_calls::transports() const { return state_->transports; }

bool direct_calls::takes(const call_plan& plan) const {
  if (plan.candidates.empty())
    return false;
  return state_->over_caf || std::all_of(plan.candidates.begin(), plan.candidates.end(),
                     [&](const std::string& a) { return plan.routes.count(a) > 0; });
}

void direct_calls::call(call_plan plan, request req, completion done) {
  if (plan.candidates.empty()) {
    done(make_error_response(503, client_error_id, "no node to call for service " + req.service));
    return;
  }
  if (req.timeout_ns <= 0) {
    done(make_error_response(408, client_error_id, "deadline expired before the call was sent"));
    return;
  }
  auto c = std::make_shared<pending_call>();
  c->started = steady::now();
  c->deadline = c->started + std::chrono::nanoseconds{req.timeout_ns};
  c->plan = std::move(plan);
  c->req = std::move(req);
  c->done = std::move(done);
  state_->start(std::move(c));
}

}  // namespace micro::actors
