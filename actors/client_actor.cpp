#include "actors/client_actor.hpp"

#include <random>
#include <unordered_map>

#include "actors/atoms.hpp"
#include "actors/default_handler.hpp"
#include "actors/wire.hpp"
#include "caf/all.hpp"
#include "caf/io/all.hpp"

namespace micro::actors {

namespace {

constexpr const char* client_error_id = "micro.client";
constexpr std::chrono::seconds connect_bound{2};

using steady = std::chrono::steady_clock;

struct outgoing {
  std::vector<std::string> fallbacks;  // candidates not tried yet
  request req;
  caf::response_promise promise;
  steady::time_point deadline;         // the whole call's, across fallbacks
};

// Brings the request's timeout to the time left before the call's deadline; false if none is left.
bool refresh_timeout(outgoing& out) {
  auto left = std::chrono::duration_cast<std::chrono::nanoseconds>(out.deadline - steady::now()).count();
  out.req.timeout_ns = left;
  return left > 0;
}

struct connection {
  caf::actor remote;                                       // null while connecting
  std::vector<outgoing> waiting;                           // sent once connected
  std::unordered_map<uint64_t, caf::response_promise> pending;  // delivered, awaiting reply
  int connect_attempts = 0;
};

// CAF 0.17.6 gives a new outgoing connection no `last_seen` until the peer's handshake
// arrives, so a heartbeat tick in between drops a healthy connection as `connection_timeout`
// (about 1 in 100 connects with a 100 ms heartbeat). One more attempt absorbs it.
constexpr int max_connect_attempts = 2;

struct client_state {
  std::unordered_map<std::string, connection> connections;  // by "host:port"
  std::unordered_map<caf::actor_addr, std::string> address_of;
  uint64_t next_call = 0;
  std::minstd_rand rng{std::random_device{}()};
  static inline const char* name = "micro.client";
};

using client_self = caf::stateful_actor<client_state>;

void dispatch(client_self* self, outgoing out);

caf::timespan remaining(const request& req) { return caf::timespan{req.timeout_ns}; }

// Sends on an established connection and tracks the call until its reply, its timeout or the
// node's down message, whichever comes first.
void send_on(client_self* self, const std::string& address, outgoing out) {
  auto& conn = self->state.connections[address];
  auto id = self->state.next_call++;
  conn.pending.emplace(id, out.promise);
  auto timeout = remaining(out.req);
  auto complete = [self, address, id](response rsp) {
    auto it = self->state.connections.find(address);
    if (it == self->state.connections.end())
      return;  // already failed by the down handler
    auto call = it->second.pending.find(id);
    if (call == it->second.pending.end())
      return;
    call->second.deliver(std::move(rsp));
    it->second.pending.erase(call);
  };
  self->request(conn.remote, timeout, std::move(out.req))
    .then([complete](response& rsp) { complete(std::move(rsp)); },
          [self, complete, address, timeout](caf::error& err) {
            if (err == caf::sec::request_timeout)
              complete(make_error_response(
                408, client_error_id,
                "call to " + address + " timed out after "
                  + std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(timeout).count())
                  + " ms"));
            else
              complete(make_error_response(503, client_error_id,
                                           "call to " + address + " failed: " + self->system().render(err)));
          });
}

void fail_or_fallback(client_self* self, outgoing out, const std::string& why) {
  if (!out.fallbacks.empty()) {
    dispatch(self, std::move(out));
    return;
  }
  out.promise.deliver(make_error_response(503, client_error_id, why));
}

void expire(outgoing& out) {
  out.promise.deliver(make_error_response(408, client_error_id,
                                          "call to " + out.req.service + " timed out before a node could be reached"));
}

void connect(client_self* self, const std::string& address) {
  std::string host;
  uint16_t port = 0;
  auto& conn = self->state.connections[address];
  if (!split_host_port(address, host, port)) {
    auto waiting = std::move(conn.waiting);
    self->state.connections.erase(address);
    for (auto& out : waiting)
      fail_or_fallback(self, std::move(out), "invalid node address \"" + address + "\"");
    return;
  }
  // Bounded by the longest deadline among the calls that wait for this connection, and by
  // connect_bound, so that a node frozen before its handshake leaves time for another one.
  int64_t longest = 0;
  for (auto& out : conn.waiting)
    longest = std::max(longest, out.req.timeout_ns);
  longest = std::min<int64_t>(longest, std::chrono::nanoseconds{connect_bound}.count());
  ++conn.connect_attempts;
  auto mm = self->system().middleman().actor_handle();
  self->request(mm, caf::timespan{longest}, caf::connect_atom::value, host, port)
    .then(
      [self, address](const caf::node_id&, caf::strong_actor_ptr& ptr, const std::set<std::string>&) {
        auto& conn = self->state.connections[address];
        auto waiting = std::move(conn.waiting);
        if (!ptr) {
          self->state.connections.erase(address);
          for (auto& out : waiting)
            fail_or_fallback(self, std::move(out), "no micro node is published at " + address);
          return;
        }
        conn.remote = caf::actor_cast<caf::actor>(ptr);
        self->monitor(conn.remote);
        self->state.address_of[conn.remote.address()] = address;
        for (auto& out : waiting) {
          if (refresh_timeout(out))
            send_on(self, address, std::move(out));
          else
            expire(out);
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
        auto waiting = std::move(it->second.waiting);
        self->state.connections.erase(it);
        for (auto& out : waiting)
          fail_or_fallback(self, std::move(out),
                           "cannot connect to " + address + ": " + self->system().render(err));
      });
}

void dispatch(client_self* self, outgoing out) {
  auto& st = self->state;
  if (!refresh_timeout(out)) {
    expire(out);
    return;
  }
  std::uniform_int_distribution<std::size_t> pick{0, out.fallbacks.size() - 1};
  auto index = pick(st.rng);
  auto address = std::move(out.fallbacks[index]);
  out.fallbacks.erase(out.fallbacks.begin() + static_cast<std::ptrdiff_t>(index));
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

caf::behavior client_actor(client_self* self) {
  install_default_handler(self);
  self->set_down_handler([self](caf::down_msg& msg) {
    auto& st = self->state;
    auto found = st.address_of.find(msg.source);
    if (found == st.address_of.end())
      return;
    auto address = found->second;
    st.address_of.erase(found);
    auto it = st.connections.find(address);
    if (it == st.connections.end())
      return;
    auto pending = std::move(it->second.pending);
    st.connections.erase(it);
    auto why = "node at " + address + " went down (" + self->system().render(msg.reason) + ")";
    for (auto& kv : pending)
      kv.second.deliver(make_error_response(503, client_error_id, why));
  });
  return {
    [self](call_atom, std::vector<std::string>& candidates, request& req) -> caf::result<response> {
      if (candidates.empty())
        return make_error_response(503, client_error_id, "no node to call for service " + req.service);
      if (req.timeout_ns <= 0)
        return make_error_response(408, client_error_id, "deadline expired before the call was sent");
      auto rp = self->make_response_promise();
      auto deadline = steady::now() + std::chrono::nanoseconds{req.timeout_ns};
      dispatch(self, outgoing{std::move(candidates), std::move(req), rp, deadline});
      return rp;
    },
  };
}

}  // namespace

caf::actor spawn_client_actor(caf::actor_system& sys) { return sys.spawn(client_actor); }

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
