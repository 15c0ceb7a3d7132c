#include "actors/client_actor.hpp"

#include "actors/basp_tls.hpp"

#include <optional>
#include <random>
#include <unordered_map>

#include "actors/basp_guard.hpp"
#include "actors/default_handler.hpp"
#include "actors/transport_client.hpp"
#include "actors/transport_streams.hpp"
#include "actors/wire.hpp"
#include "caf/all.hpp"
#include "caf/io/all.hpp"
#include "metrics/rpc.hpp"

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(micro::actors::call_outcome)

namespace micro::actors {

namespace {

constexpr const char* client_error_id = "micro.client";
constexpr std::chrono::seconds connect_bound{2};

using steady = std::chrono::steady_clock;
using retry_atom = caf::atom_constant<caf::atom("m_retry")>;
using transport_outcome_atom = caf::atom_constant<caf::atom("m_toutc")>;
using transport_timeout_atom = caf::atom_constant<caf::atom("m_ttime")>;

// One call (or stream open), across its attempts.
struct outgoing {
  call_plan plan;
  request req;
  caf::response_promise promise;
  steady::time_point deadline;         // the whole call's, across attempts
  std::vector<std::string> tried;      // addresses, in attempt order
  std::size_t retries_used = 0;
  int attempt = 0;
  steady::time_point attempt_started;
  bool probe = false;                  // this attempt is its node's half-open probe
  // Set when the attempt opens a stream (actors/stream_endpoint.hpp) rather than makes a call.
  caf::actor stream_end;               // the client's stream endpoint
  uint32_t stream_window = 0;
  int64_t stream_timeout_ns = 0;
  metrics::call_series* calls = nullptr;  // null when metrics are off
  steady::time_point started;             // when the caller asked
};

// Brings the request's timeout to the time left before the call's deadline, or the plan's
// per-attempt bound if that is shorter; false if no time is left.
bool refresh_timeout(outgoing& out) {
  auto left = std::chrono::duration_cast<std::chrono::nanoseconds>(out.deadline - steady::now()).count();
  if (left <= 0)
    return false;
  auto bound = out.plan.attempt_timeout.count();
  out.req.timeout_ns = bound > 0 ? std::min<int64_t>(left, bound) : left;
  return true;
}

struct connection {
  caf::actor remote;                                  // null while connecting
  std::vector<outgoing> waiting;                      // sent once connected
  std::unordered_map<uint64_t, outgoing> pending;     // delivered, awaiting reply
  std::vector<caf::response_promise> handle_waiters;  // (node_handle_atom) asks, until connected
  int connect_attempts = 0;
};

// CAF 0.17.6 gives a new outgoing connection no `last_seen` until the peer's handshake
// arrives, so a heartbeat tick in between drops a healthy connection as `connection_timeout`
// (about 1 in 100 connects with a 100 ms heartbeat). One more attempt absorbs it.
constexpr int max_connect_attempts = 2;

struct client_state {
  std::unordered_map<std::string, connection> connections;  // by "host:port"
  std::unordered_map<caf::actor_addr, std::string> address_of;
  std::unordered_map<uint64_t, outgoing> backing_off;       // waiting for their retry
  std::unique_ptr<transport_client> transports;                            // made on first use
  std::shared_ptr<client_streams> streams;                                 // its streams' proxies
  transport::transport_options transport_options;                          // for it: limits, TLS
  std::unordered_map<uint64_t, std::pair<std::string, outgoing>> over_transport;  // by call id: node, call
  uint64_t next_id = 0;
  // Shared with the direct path (actors/direct_calls.hpp): both pick from and mark the same nodes.
  std::shared_ptr<shared_selector> selector;
  std::minstd_rand rng{std::random_device{}()};
  // Metrics: each target's series, found once (a lookup in this actor's own map, no lock).
  std::unordered_map<std::string, metrics::call_series*> series;  // by service + '\0' + endpoint
  static inline const char* name = "micro.client";

  // The transport client goes with this state, and its connections' closes may never be seen:
  // the streams that ride them end now, or their endpoints would wait for peers that cannot
  // answer (and the actor system for them, at shutdown).
  ~client_state() {
    if (streams)
      streams->stop("the client stopped");
  }
};

using client_self = caf::stateful_actor<client_state>;

void dispatch(client_self* self, outgoing out);

// Whether a failure says something about the node (a 4xx says something about the request).
bool counts_against_node(attempt_failure kind, const response& err) {
  return kind != attempt_failure::handler_error || err.code >= 500;
}

// Every call ends here: the caller gets `rsp`, the metrics the outcome.
void settle(outgoing& out, response rsp) {
  if (out.calls)
    out.calls->finished(rsp.code, steady::now() - out.started);
  out.promise.deliver(std::move(rsp));
}

void deliver_error(outgoing& out, response err) { settle(out, std::move(err)); }

metrics::call_series* series_of(client_self* self, const request& req) {
  if (!metrics::enabled())
    return nullptr;
  auto& known = self->state.series;
  std::string key;
  key.reserve(req.service.size() + req.endpoint.size() + 1);
  key += req.service;
  key += '\0';
  key += req.endpoint;
  auto it = known.find(key);
  if (it == known.end())
    it = known.emplace(std::move(key), metrics::client_calls(req.service, req.endpoint)).first;
  return it->second;
}

// An attempt failed: mark the node, then retry (after a back-off) or give the caller `err`.
void attempt_failed(client_self* self, outgoing out, const std::string& address, attempt_failure kind,
                    response err) {
  auto& st = self->state;
  st.selector->failed(out.req.service, address, counts_against_node(kind, err),
                      kind == attempt_failure::not_delivered, steady::now(), out.probe);
  if (kind == attempt_failure::not_delivered) {
    // Nothing reached a handler: the next node is tried at once, without using a retry, as
    // long as an untried one is left.
    bool untried_left = false;
    for (auto& c : out.plan.candidates)
      untried_left = untried_left || std::find(out.tried.begin(), out.tried.end(), c) == out.tried.end();
    if (untried_left) {
      dispatch(self, std::move(out));
      return;
    }
  }
  failed_attempt info{out.attempt, &err, kind};
  bool again = out.retries_used < out.plan.retries && out.plan.retry && out.plan.retry(info);
  if (!again) {
    deliver_error(out, std::move(err));
    return;
  }
  // Exponential back-off with jitter (x0.5 .. x1.5), never past the deadline.
  auto base = out.plan.backoff * (1LL << std::min<std::size_t>(out.retries_used, 16));
  std::uniform_real_distribution<double> jitter{0.5, 1.5};
  auto delay = std::chrono::duration_cast<std::chrono::nanoseconds>(base * jitter(st.rng));
  ++out.retries_used;
  if (out.calls)
    out.calls->retried();
  if (steady::now() + delay >= out.deadline) {
    deliver_error(out, std::move(err));
    return;
  }
  auto id = st.next_id++;
  st.backing_off.emplace(id, std::move(out));
  self->delayed_send(self, delay, retry_atom::value, id);
}

// The node answered (possibly with an error).
void answered(client_self* self, outgoing out, const std::string& address, response rsp) {
  auto& st = self->state;
  if (rsp.code == 0) {
    st.selector->succeeded(out.req.service, address, steady::now() - out.attempt_started);
    settle(out, std::move(rsp));
    return;
  }
  auto kind = rsp.code == 503 ? attempt_failure::refused
              : rsp.code == 408 ? attempt_failure::timeout
                                : attempt_failure::handler_error;
  attempt_failed(self, std::move(out), address, kind, std::move(rsp));
}

// Sends on an established connection and tracks the attempt until its reply, its timeout or
// the node's down message, whichever comes first.
void send_on(client_self* self, const std::string& address, outgoing out) {
  auto& conn = self->state.connections[address];
  auto id = self->state.next_id++;
  auto timeout = caf::timespan{out.req.timeout_ns};
  // Keep the request only while a retry could still need it.
  request wire = out.retries_used < out.plan.retries ? out.req : std::move(out.req);
  // A stream open carries the client's endpoint along.
  auto stream_end = out.stream_end;
  auto stream_window = out.stream_window;
  auto stream_timeout_ns = out.stream_timeout_ns;
  conn.pending.emplace(id, std::move(out));
  auto take = [self, address, id]() -> std::optional<outgoing> {
    auto it = self->state.connections.find(address);
    if (it == self->state.connections.end())
      return std::nullopt;  // already failed by the down handler
    auto call = it->second.pending.find(id);
    if (call == it->second.pending.end())
      return std::nullopt;
    auto taken = std::move(call->second);
    it->second.pending.erase(call);
    return taken;
  };
  auto sent = stream_end ? self->request(conn.remote, timeout, stream_open_atom::value, std::move(wire), stream_window,
                                         stream_timeout_ns, std::move(stream_end))
                         : self->request(conn.remote, timeout, std::move(wire));
  std::move(sent).then(
      [self, address, take](response& rsp) {
        if (auto out = take())
          answered(self, std::move(*out), address, std::move(rsp));
      },
      [self, address, take, timeout](caf::error& err) {
        auto out = take();
        if (!out)
          return;
        if (err == caf::sec::request_timeout) {
          auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(timeout).count();
          attempt_failed(self, std::move(*out), address, attempt_failure::timeout,
                         make_error_response(408, client_error_id,
                                             "call to " + address + " timed out after " + std::to_string(ms) + " ms"));
        } else {
          attempt_failed(self, std::move(*out), address, attempt_failure::node_lost,
                         make_error_response(503, client_error_id,
                                             "call to " + address + " failed: " + self->system().render(err)));
        }
      });
}

void expire(outgoing& out) {
  settle(out, make_error_response(408, client_error_id,
                                          "call to " + out.req.service + " timed out before a node could answer"));
}

void fail_waiting(client_self* self, const std::string& address, const std::string& why) {
  auto it = self->state.connections.find(address);
  if (it == self->state.connections.end())
    return;
  auto waiting = std::move(it->second.waiting);
  auto handle_waiters = std::move(it->second.handle_waiters);
  self->state.connections.erase(it);
  for (auto& rp : handle_waiters)
    rp.deliver(caf::make_error(caf::sec::cannot_connect_to_node, why));
  for (auto& out : waiting)
    attempt_failed(self, std::move(out), address, attempt_failure::not_delivered,
                   make_error_response(503, client_error_id, why));
}

void connect(client_self* self, const std::string& address) {
  std::string host;
  uint16_t port = 0;
  auto& conn = self->state.connections[address];
  if (!split_host_port(address, host, port)) {
    fail_waiting(self, address, "invalid node address \"" + address + "\"");
    return;
  }
  // Bounded by the longest deadline among the calls that wait for this connection, and by
  // connect_bound, so that a node frozen before its handshake leaves time for another one.
  int64_t longest = conn.handle_waiters.empty() ? 0 : std::chrono::nanoseconds{connect_bound}.count();
  for (auto& out : conn.waiting)
    longest = std::max(longest, out.req.timeout_ns);
  longest = std::min<int64_t>(longest, std::chrono::nanoseconds{connect_bound}.count());
  ++conn.connect_attempts;
  auto mm = guarded_middleman(self->system());  // checks what the node sends back
  self->request(mm, caf::timespan{longest}, caf::connect_atom::value, host, port)
    .then(
      [self, address](const caf::node_id&, caf::strong_actor_ptr& ptr, const std::set<std::string>&) {
        if (!ptr) {
          fail_waiting(self, address, "no micro node is published at " + address);
          return;
        }
        auto& conn = self->state.connections[address];
        auto waiting = std::move(conn.waiting);
        conn.remote = caf::actor_cast<caf::actor>(ptr);
        self->monitor(conn.remote);
        self->state.address_of[conn.remote.address()] = address;
        for (auto& rp : conn.handle_waiters)
          rp.deliver(conn.remote);
        conn.handle_waiters.clear();
        for (auto& out : waiting) {
          if (refresh_timeout(out)) {
            send_on(self, address, std::move(out));
          } else {
            self->state.selector->finished(address, out.probe);
            expire(out);
          }
        }
      },
      [self, address](caf::error& err) {
        auto it = self->state.connections.find(address);
        if (it == self->state.connections.end())
          return;
        if (err == caf::sec::connection_timeout && it->second.connect_attempts < max_connect_attempts) {
          connect(self, address);  // keeps the waiting calls; their deadlines still bound it
          return;
        }
        auto why = "cannot connect to " + address + ": " + self->system().render(err);
        if (auto tls = recent_basp_tls_failure(address); !tls.empty() && why.find(tls) == std::string::npos)
          why += " (" + tls + ")";  // what the guard's TLS session saw, e.g. an expired certificate
        else if (err == caf::sec::disconnect_during_handshake && !self->state.transport_options.tls.enabled())
          why += " (a node that serves over TLS, when TLS is off here?)";
        fail_waiting(self, address, why);
      });
}

// A unary call to a node that takes them over a byte transport (actors/transport_client): the
// outcome comes back as a message, so marks and retries are those of the CAF path.
void send_over_transport(client_self* self, const std::string& address, const node_route& route, outgoing out) {
  auto& st = self->state;
  if (!st.transports) {
    auto max_frame = st.transport_options.limits.max_frame_size;
    st.streams = std::make_shared<client_streams>(self->system(), max_frame);
    // Weak: the state owns the transport client, a strong handle in it would keep the actor alive.
    auto me = caf::actor_cast<caf::weak_actor_ptr>(self->ctrl());
    st.transports = std::make_unique<transport_client>(
        [me](uint64_t id, call_outcome o) {
          if (auto strong = me.lock())
            caf::anon_send(caf::actor_cast<caf::actor>(strong), transport_outcome_atom::value, id, std::move(o));
        },
        st.transport_options, st.streams);
  }
  auto id = st.next_id++;
  auto timeout = std::chrono::nanoseconds{out.req.timeout_ns};
  self->delayed_send(self, timeout, transport_timeout_atom::value, id);
  auto& entry = st.over_transport.emplace(id, std::make_pair(address, std::move(out))).first->second;
  auto& call = entry.second;
  if (!call.stream_end) {
    st.transports->call(route.transport, route.address, id, call.req);
    return;
  }
  // A stream open: a proxy stands in for the server's end until the stream ends
  // (actors/transport_streams.hpp); the answer comes back like a call's response.
  st.streams->add(id, call.stream_end);
  st.transports->open_stream(route.transport, route.address, id, call.req, call.stream_window, call.stream_timeout_ns);
}

// An open over a transport that did not succeed: its proxy goes (a retry opens with a new one).
void forget_stream(client_self* self, uint64_t id, const outgoing& out, const std::string& why) {
  if (out.stream_end && self->state.streams)
    self->state.streams->forget(id, why);
}

void transport_outcome(client_self* self, uint64_t id, call_outcome& o) {
  auto& st = self->state;
  auto it = st.over_transport.find(id);
  if (it == st.over_transport.end())
    return;  // timed out already
  auto [address, out] = std::move(it->second);
  st.over_transport.erase(it);
  if (o.what != call_outcome::kind::answered || o.rsp.code != 0)
    forget_stream(self, id, out, o.what == call_outcome::kind::answered ? o.rsp.detail : o.why);
  switch (o.what) {
    case call_outcome::kind::answered:
      answered(self, std::move(out), address, std::move(o.rsp));
      return;
    case call_outcome::kind::not_delivered:
      attempt_failed(self, std::move(out), address, attempt_failure::not_delivered,
                     make_error_response(503, client_error_id, o.why));
      return;
    case call_outcome::kind::lost:
      attempt_failed(self, std::move(out), address, attempt_failure::node_lost,
                     make_error_response(503, client_error_id, "call to " + address + " failed: " + o.why));
      return;
  }
}

// Starts the next attempt of `out` on the node the selector picks.
void dispatch(client_self* self, outgoing out) {
  auto& st = self->state;
  if (!refresh_timeout(out)) {
    expire(out);
    return;
  }
  std::string why;
  auto picked = st.selector->pick(out.req.service, out.plan.strategy, out.plan.candidates, out.tried, steady::now(), why);
  if (!picked) {
    settle(out, make_error_response(503, client_error_id, "no node of " + out.req.service + " to call: " + why));
    return;
  }
  auto address = std::move(picked->address);
  out.tried.push_back(address);
  ++out.attempt;
  out.attempt_started = steady::now();
  out.probe = picked->probe;
  if (auto route = out.plan.routes.find(address); route != out.plan.routes.end()) {
    send_over_transport(self, address, route->second, std::move(out));
    return;
  }
  if (out.plan.tls_nodes.count(address) != 0 && !st.transport_options.tls.enabled()) {
    // The node says it serves over TLS: tell the caller why, rather than a handshake timing out.
    attempt_failed(self, std::move(out), address, attempt_failure::not_delivered,
                   make_error_response(503, client_error_id,
                                       "the node at " + address + " serves over TLS and TLS is off here: "
                                       "set MICRO_TLS_CA (and MICRO_TLS_CERT/KEY for mutual TLS)"));
    return;
  }
  auto it = st.connections.find(address);
  if (it != st.connections.end() && it->second.remote) {
    send_on(self, address, std::move(out));
    return;
  }
  bool start_connect = it == st.connections.end();
  st.connections[address].waiting.push_back(std::move(out));
  if (start_connect)
    connect(self, address);
}

caf::behavior client_actor(client_self* self, std::shared_ptr<shared_selector> selector,
                           transport::transport_options transports) {
  self->state.selector = std::move(selector);
  self->state.transport_options = std::move(transports);
  install_default_handler(self);
  self->set_down_handler([self](caf::down_msg& msg) {
    auto& st = self->state;
    auto found = st.address_of.find(msg.source);
    if (found == st.address_of.end())
      return;
    auto address = found->second;
    st.address_of.erase(found);
    st.selector->down(address, steady::now());
    auto it = st.connections.find(address);
    if (it == st.connections.end())
      return;
    auto pending = std::move(it->second.pending);
    st.connections.erase(it);
    auto why = "node at " + address + " went down (" + self->system().render(msg.reason) + ")";
    for (auto& kv : pending)
      attempt_failed(self, std::move(kv.second), address, attempt_failure::node_lost,
                     make_error_response(503, client_error_id, why));
  });
  return {
    [self](call_atom, call_plan& plan, request& req) -> caf::result<response> {
      if (plan.candidates.empty())
        return make_error_response(503, client_error_id, "no node to call for service " + req.service);
      if (req.timeout_ns <= 0)
        return make_error_response(408, client_error_id, "deadline expired before the call was sent");
      auto rp = self->make_response_promise();
      auto deadline = steady::now() + std::chrono::nanoseconds{req.timeout_ns};
      outgoing out;
      out.plan = std::move(plan);
      out.req = std::move(req);
      out.promise = rp;
      out.deadline = deadline;
      out.started = steady::now();
      if ((out.calls = series_of(self, out.req)))
        out.calls->started();
      dispatch(self, std::move(out));
      return rp;
    },
    [self](stream_open_atom, call_plan& plan, request& req, uint32_t window, int64_t stream_timeout_ns,
           caf::actor& end) -> caf::result<response> {
      // Opened like a call (selector, connection, retries); the node answers once its stream
      // endpoint said hello to `end`.
      if (plan.candidates.empty())
        return make_error_response(503, client_error_id, "no node to open a stream to for service " + req.service);
      if (req.timeout_ns <= 0)
        return make_error_response(408, client_error_id, "deadline expired before the stream was opened");
      auto rp = self->make_response_promise();
      outgoing out;
      out.deadline = steady::now() + std::chrono::nanoseconds{req.timeout_ns};
      out.plan = std::move(plan);
      out.req = std::move(req);
      out.promise = rp;
      out.stream_end = std::move(end);
      out.stream_window = window;
      out.stream_timeout_ns = stream_timeout_ns;
      out.started = steady::now();
      if ((out.calls = series_of(self, out.req)))
        out.calls->started();
      dispatch(self, std::move(out));
      return rp;
    },
    [self](retry_atom, uint64_t id) {
      auto it = self->state.backing_off.find(id);
      if (it == self->state.backing_off.end())
        return;
      auto out = std::move(it->second);
      self->state.backing_off.erase(it);
      dispatch(self, std::move(out));
    },
    [self](transport_outcome_atom, uint64_t id, call_outcome& o) { transport_outcome(self, id, o); },
    [self](transport_timeout_atom, uint64_t id) {
      auto it = self->state.over_transport.find(id);
      if (it == self->state.over_transport.end())
        return;  // answered in time
      auto [address, out] = std::move(it->second);
      self->state.over_transport.erase(it);
      forget_stream(self, id, out, "the open timed out");
      auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::nanoseconds{out.req.timeout_ns});
      attempt_failed(self, std::move(out), address, attempt_failure::timeout,
                     make_error_response(408, client_error_id,
                                         "call to " + address + " timed out after " + std::to_string(ms.count()) + " ms"));
    },
    [self](reset_atom, const std::vector<std::string>& addresses) { self->state.selector->reset(addresses); },
    [self](node_handle_atom, const std::string& address) -> caf::result<caf::actor> {
      auto& st = self->state;
      auto it = st.connections.find(address);
      if (it != st.connections.end() && it->second.remote)
        return it->second.remote;
      auto rp = self->make_response_promise();
      bool start_connect = it == st.connections.end();
      st.connections[address].handle_waiters.push_back(rp);
      if (start_connect)
        connect(self, address);
      return rp;
    },
  };
}

}  // namespace

caf::actor spawn_client_actor(caf::actor_system& sys, std::shared_ptr<shared_selector> selector,
                              transport::transport_options transports) {
  return sys.spawn(client_actor, std::move(selector), std::move(transports));
}

bool split_host_port(const std::string& address, std::string& host, uint16_t& port) {
  auto colon = address.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == address.size())
    return false;
  unsigned long value = 0;
  for (auto i = colon + 1; i < address.size(); ++i) {
    if (address[i] < '0' || address[i] > '9')
      return false;
    value = value * 10 + static_cast<unsigned long>(address[i] - '0');
    if (value > 65535)
      return false;
  }
  host = address.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);  // [::1]:80
  port = static_cast<uint16_t>(value);
  return true;
}

}  // namespace micro::actors
