#include "actors/broker_actor.hpp"

#include <algorithm>
#include <deque>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <sstream>
#include <unordered_map>
#include <utility>

#include "actors/call_plan.hpp"
#include "actors/client_actor.hpp"
#include "actors/default_handler.hpp"
#include "actors/publication_batch.hpp"
#include "actors/subscriber_actor.hpp"
#include "actors/transport_client.hpp"
#include "caf/all.hpp"

namespace micro::actors {

namespace broker_detail {

// A destination's connection over a byte transport, as transport_client::connect found it.
struct transport_ready {
  std::string address;  // the node's (its CAF address: the destination's key)
  node_route route;     // where its transport listens
  transport::status st;
  bool takes_publications = false;
};

}  // namespace broker_detail

}  // namespace micro::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(micro::actors::broker_detail::transport_ready)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(micro::actors::publication_outcome)

namespace micro::actors {

namespace {

using broker_detail::transport_ready;

constexpr const char* broker_error_id = "micro.broker";
constexpr int32_t code_full = 429;

using steady = std::chrono::steady_clock;
using linger_atom = caf::atom_constant<caf::atom("m_linger")>;
using transport_ready_atom = caf::atom_constant<caf::atom("m_tready")>;
using publication_outcome_atom = caf::atom_constant<caf::atom("m_pubout")>;
using publication_timeout_atom = caf::atom_constant<caf::atom("m_pubtime")>;

carrier_counters carriers;  // the process's (publication_carriers())

// ---- publisher side

// One publish_order, until every destination answered.
struct pending_publish {
  caf::response_promise promise;            // a blocking (acknowledged) publisher waits on it
  std::shared_ptr<broker::async_report> sink;  // or: an asynchronous publisher's counters
  std::function<void(const publish_ack&)> done;  // or: an acknowledged publisher's callback
  std::string topic;                        // (for the sink's failure callback)
  std::size_t waiting_for = 0;
  std::vector<std::string> refused;  // "address: why"
  int32_t code = 0;                  // the refusals' code if they agree, else 503
  // Counts a refusal without waiting for an answer (a node not tried because it is down).
  void refuse(const std::string& address, const publish_ack& ack) {
    refused.push_back(address + ": " + ack.detail);
    code = code == 0 || code == ack.code ? ack.code : 503;
  }
  void answer(const std::string& address, const publish_ack& ack) {
    if (ack.code != 0)
      refuse(address, ack);
    if (--waiting_for > 0)
      return;
    settle();
  }
  void settle() {
    publish_ack out;
    if (!refused.empty()) {
      out.code = code;
      out.detail = "not accepted by " + std::to_string(refused.size()) + " node(s): ";
      for (std::size_t i = 0; i < refused.size(); ++i)
        out.detail += (i ? "; " : "") + refused[i];
    }
    if (done)
      done(out);
    else if (sink)
      sink->settle(topic, out.code == 0 ? broker::status{} : to_broker_status(out.code, out.detail));
    else
      promise.deliver(std::move(out));
  }
};

// Who hears one node's answer for one publication: its pending_publish, or (an asynchronous
// publication to a single node, the common case) the publisher's counters directly, with no
// allocation per publication.
struct owner {
  std::shared_ptr<pending_publish> pending;
  std::shared_ptr<broker::async_report> sink;
  std::shared_ptr<const std::string> topic;  // for the sink's failure callback
  void answer(const std::string& address, const publish_ack& ack) const {
    if (pending) {
      pending->answer(address, ack);
    } else if (ack.code == 0) {
      sink->settle(*topic, broker::status{});
    } else {
      // Worded as pending_publish::settle words a refusal by one node.
      sink->settle(*topic, to_broker_status(ack.code, "not accepted by 1 node(s): " + address + ": " + ack.detail));
    }
  }
};

// Small (a deque allocates a block per 512 bytes of elements): the publication is bytes by now.
struct queued {
  std::string head;                  // the publication without targets (publication_batch.hpp)
  std::vector<std::string> targets;  // empty: "" alone (the node's plain subscribers)
  owner who;
  steady::time_point deadline;
};

const std::vector<std::string> plain_targets{std::string{}};

struct destination {
  caf::actor remote;                  // over CAF: null until the client actor connected it
  bool over_transport = false;        // or: batches go as publication frames on `route`
  node_route route;
  bool connecting = false;
  std::deque<queued> queue;
  steady::time_point linger_until{};  // a linger timer is due then (none if in the past)
  // Batches sent and not answered, by id: a CAF request to a node that died never completes
  // by itself (docs/caf-0.17.md, pitfall 1), so the down handler answers them (over a
  // transport: the connection's close, reported per batch).
  std::unordered_map<uint64_t, std::vector<owner>> in_flight;
  bool connected() const { return remote || over_transport; }
};

// ---- receiver side

// The process's counters by topic: shared by every broker actor of the process (one per runtime).
std::mutex counters_mutex;
std::map<std::string, std::shared_ptr<topic_counters>> counters_by_topic;

std::shared_ptr<topic_counters> counters_of(const std::string& topic) {
  std::lock_guard<std::mutex> guard{counters_mutex};
  auto& c = counters_by_topic[topic];
  if (!c)
    c = std::make_shared<topic_counters>();
  return c;
}

struct local_subscription {
  uint64_t id = 0;
  std::shared_ptr<topic_counters> counters;
  subscription_spec spec;
  caf::actor runner;                  // the subscriber actor (handler) or the user's actor
  std::size_t in_flight = 0;
  std::vector<delivery> outbox;       // handed out during this drain, sent to the runner at its end
};

// Who hears a received batch's ack: the CAF requester, or the transport connection it came on.
struct ack_target {
  caf::response_promise promise;
  publish_reply reply;
  void deliver(const publish_ack& ack) {
    if (reply)
      reply(ack);
    else
      promise.deliver(ack);
  }
};

// A batch from a remote (or the local) publisher, handed out publication by publication.
struct incoming {
  std::vector<publication> items;
  std::size_t next = 0;               // first item not handed out yet
  ack_target promise;
  uint64_t id = 0;
  std::size_t acks_outstanding = 0;   // items handed to `ack` subscriptions, not done yet
  publish_ack outcome;                // first refusal or handler error, and per item codes
  void refuse(std::size_t index, int32_t code, const std::string& why) {
    if (outcome.item_codes.empty())
      outcome.item_codes.assign(items.size(), 0);
    if (outcome.item_codes[index] == 0)
      outcome.item_codes[index] = code;
    if (outcome.code == 0)
      outcome = publish_ack{code, why, std::move(outcome.item_codes)};
  }
  bool handed_out() const { return next == items.size(); }
};

// A topic's subscribing nodes as the registry lists them, parsed once per registry answer (the
// client shares one list per topic while it is fresh): parsing per publication cost more than
// the rest of routing.
struct subscribing_node {
  std::string address;
  bool plain = false;                // has plain subscribers
  bool local = false;                // one of this process's nodes
  std::vector<std::string> groups;   // queue groups with a member there
};

// What routing keeps per topic while the registry's answer stays the same.
struct topic_route {
  subscriber_list subscribers;
  std::vector<subscribing_node> nodes;
  // Only plain subscribers, on other processes' nodes: each publication goes to every node,
  // with no queue group to choose a member of (publish_plain's fast path).
  bool plain_remote = false;
  std::shared_ptr<const std::string> topic;
};

struct broker_state {
  caf::actor client;
  std::shared_ptr<transport_client> transports;  // null: every node over CAF
  broker_config cfg;
  std::unordered_map<std::string, destination> destinations;  // by address
  std::unordered_map<caf::actor_addr, std::string> address_of;
  // Nodes seen going down, and when last probed: failed at once (naming them) until a probe
  // connects again.
  std::unordered_map<std::string, steady::time_point> down;
  // Where subscribing nodes take calls over a byte transport (registry metadata, as for calls),
  // by node address; a node not here is reached over CAF.
  std::unordered_map<std::string, node_route> node_routes;
  std::set<std::string> local_nodes;                          // ids of this process's nodes
  std::unordered_map<std::string, topic_route> routes;        // by topic
  std::map<std::string, std::vector<local_subscription>> subscriptions;  // by topic
  std::deque<incoming> inbox;                                 // handed out in order
  std::unordered_map<uint64_t, incoming> acking;              // handed out, waiting for acks
  uint64_t next_id = 1;
  std::minstd_rand rng{std::random_device{}()};
  static inline const char* name = "micro.broker";
};

using broker_self = caf::stateful_actor<broker_state>;

void receive_batch(broker_self* self, std::vector<publication> items, ack_target promise);

// A node seen going down is not waited for: publications for it fail at once, naming it, while
// a probe (a fresh connect, at most every probe_interval) finds out whether it is back. Skipping
// it silently would turn a frozen subscriber into publishes that say ok and deliver nothing.
constexpr std::chrono::milliseconds probe_interval{200};

void connect_destination(broker_self* self, const std::string& address);

// Whether `address` is down; starts a probe when one is due.
bool is_down(broker_self* self, const std::string& address) {
  auto it = self->state.down.find(address);
  if (it == self->state.down.end())
    return false;
  auto d = self->state.destinations.find(address);
  bool probing = d != self->state.destinations.end() && d->second.connecting;
  if (!probing && steady::now() - it->second >= probe_interval) {
    it->second = steady::now();
    connect_destination(self, address);
  }
  return true;
}

const char* down_detail = "node is down (connection lost; not tried, probing for its return)";

struct routing {
  // address -> what: "" = its plain subscribers, a group name = that queue group
  std::map<std::string, std::vector<std::string>> targets;
  // subscribing nodes (or queue groups) the registry lists that cannot be reached now
  std::vector<std::pair<std::string, std::string>> unreachable;  // address or group, why
  std::set<std::string> local;  // addresses of our own nodes, however the registry spells them
};

const topic_route& route_of(broker_self* self, const std::string& topic, const subscriber_list& subscribers) {
  auto& cached = self->state.routes[topic];
  if (cached.subscribers == subscribers && subscribers)
    return cached;
  cached.subscribers = subscribers;
  cached.nodes.clear();
  cached.plain_remote = false;
  if (!cached.topic)
    cached.topic = std::make_shared<const std::string>(topic);
  if (!subscribers)
    return cached;
  const auto key = subscription_key(topic);
  std::map<std::string, subscribing_node> by_address;
  for (auto& svc : *subscribers)
    for (auto& n : svc.nodes) {
      auto advertised = n.meta.find(key);
      if (advertised == n.meta.end())
        continue;
      auto& node = by_address[n.address];
      node.address = n.address;
      if (node_route r; actors::route_of(n.address, n.meta, r))
        self->state.node_routes[n.address] = std::move(r);
      else
        self->state.node_routes.erase(n.address);
      node.local = node.local || self->state.local_nodes.count(n.id) > 0;
      std::stringstream list{advertised->second};
      std::string group;
      while (std::getline(list, group, ',')) {
        if (group == plain_subscriber)
          node.plain = true;
        else if (!group.empty() && std::find(node.groups.begin(), node.groups.end(), group) == node.groups.end())
          node.groups.push_back(group);
      }
    }
  cached.plain_remote = !by_address.empty();
  for (auto& [address, node] : by_address) {
    cached.plain_remote = cached.plain_remote && node.plain && node.groups.empty() && !node.local;
    cached.nodes.push_back(std::move(node));
  }
  return cached;
}

// The nodes (addresses) that get `topic`, and for each what; a queue group goes to one live
// member node, chosen at random.
routing route(broker_self* self, const std::string& topic, const subscriber_list& subscribers) {
  routing out;
  std::map<std::string, std::vector<std::string>> group_members;  // group -> live addresses
  std::map<std::string, std::vector<std::string>> group_down;     // group -> down addresses
  for (auto& n : route_of(self, topic, subscribers).nodes) {
    const bool down = is_down(self, n.address);
    if (n.local)
      out.local.insert(n.address);
    if (n.plain) {
      if (down)
        out.unreachable.emplace_back(n.address, down_detail);
      else
        out.targets[n.address].push_back("");
    }
    for (auto& group : n.groups)
      (down ? group_down : group_members)[group].push_back(n.address);
  }
  for (auto& [group, members] : group_members) {
    std::uniform_int_distribution<std::size_t> pick{0, members.size() - 1};
    out.targets[members[pick(self->state.rng)]].push_back(group);
  }
  for (auto& [group, members] : group_down)
    if (!group_members.count(group)) {
      std::string list;
      for (auto& m : members)
        list += (list.empty() ? "" : ", ") + m;
      out.unreachable.emplace_back("queue group " + group, "every member node is down (" + list + ")");
    }
  return out;
}

void fail_destination(broker_self* self, const std::string& address, const std::string& why) {
  auto it = self->state.destinations.find(address);
  if (it == self->state.destinations.end())
    return;
  auto queue = std::move(it->second.queue);
  auto in_flight = std::move(it->second.in_flight);
  self->state.destinations.erase(it);
  for (auto& [id, owners] : in_flight)
    for (auto& o : owners)
      o.answer(address, publish_ack{503, why, {}});
  for (auto& q : queue)
    q.who.answer(address, publish_ack{503, why, {}});
}

void flush(broker_self* self, const std::string& address);

// Over CAF: the node actor at `address`, over the process's one BASP connection to it.
// `transport_failure`: why its transport could not be reached first (for the error, if CAF fails too).
void connect_over_caf(broker_self* self, const std::string& address, std::string transport_failure = {}) {
  self->request(self->state.client, caf::infinite, node_handle_atom::value, address)
    .then(
      [self, address](caf::actor& remote) {
        auto& dest = self->state.destinations[address];
        dest.connecting = false;
        dest.remote = remote;
        self->monitor(remote);
        self->state.address_of[remote.address()] = address;
        self->state.down.erase(address);
        flush(self, address);
      },
      [self, address, transport_failure](caf::error& err) {
        self->state.down[address] = steady::now();
        fail_destination(self, address,
                         "cannot connect: " + (transport_failure.empty() ? std::string{} : transport_failure + "; over CAF: ")
                           + self->system().render(err));
      });
}

void connect_destination(broker_self* self, const std::string& address) {
  auto& dest = self->state.destinations[address];
  dest.connecting = true;
  auto route = self->state.node_routes.find(address);
  if (!self->state.transports || route == self->state.node_routes.end()) {
    connect_over_caf(self, address);
    return;
  }
  // Its transport's connection (the one calls ride): whether its hello says it takes
  // publications decides the carrier (transport_ready below).
  auto me = caf::actor_cast<caf::weak_actor_ptr>(self->ctrl());
  self->state.transports->connect(route->second.transport, route->second.address,
                                  [me, address, r = route->second](const transport::status& st, bool takes) {
                                    if (auto strong = me.lock())
                                      caf::anon_send(caf::actor_cast<caf::actor>(strong), transport_ready_atom::value,
                                                     transport_ready{address, r, st, takes});
                                  });
}

void transport_connected(broker_self* self, transport_ready& ready) {
  auto& st = self->state;
  auto& dest = st.destinations[ready.address];
  if (!ready.st) {
    // Its transport is not there, its CAF port may be: a node restarted on its address listens
    // on a new transport port, which the registry shows a while later (the CAF port is the
    // node's address). Over CAF then, as before publications rode the transport; the next
    // connect (after a node-down) tries the transport again.
    connect_over_caf(self, ready.address, ready.st.message);
    return;
  }
  if (!ready.takes_publications) {
    // A node of an older micro: a publication frame would close its connection. Over CAF.
    connect_over_caf(self, ready.address);
    return;
  }
  dest.connecting = false;
  dest.over_transport = true;
  dest.route = std::move(ready.route);
  st.down.erase(ready.address);
  flush(self, ready.address);
}

// Batch `batch_id` to `address` is answered: its publishers hear it, and what waited may leave.
void settle_batch(broker_self* self, const std::string& address, uint64_t batch_id, const publish_ack& ack) {
  auto it = self->state.destinations.find(address);
  if (it == self->state.destinations.end())
    return;  // already answered by the down handler
  auto batch = it->second.in_flight.find(batch_id);
  if (batch == it->second.in_flight.end())
    return;
  auto owners = std::move(batch->second);
  it->second.in_flight.erase(batch);
  const bool per_item = ack.item_codes.size() == owners.size();
  for (std::size_t i = 0; i < owners.size(); ++i) {
    if (!per_item)
      owners[i].answer(address, ack);
    else if (ack.item_codes[i] == 0)
      owners[i].answer(address, publish_ack{});
    else
      owners[i].answer(address, publish_ack{ack.item_codes[i],
                                             ack.item_codes[i] == ack.code ? ack.detail
                                                                           : "refused with code " + std::to_string(ack.item_codes[i]),
                                             {}});
  }
  flush(self, address);
}

bool in_flight(broker_self* self, const std::string& address, uint64_t batch_id) {
  auto it = self->state.destinations.find(address);
  return it != self->state.destinations.end() && it->second.in_flight.count(batch_id) > 0;
}

const char* no_confirmation = "no confirmation in time (the node may still deliver it)";

// What became of a batch sent as a publication frame.
void transport_outcome(broker_self* self, const std::string& address, uint64_t batch_id, publication_outcome& o) {
  if (o.what == publication_outcome::kind::acked) {
    publish_ack ack;
    if (auto st = decode_publish_ack(o.ack, ack); !st)
      ack = publish_ack{503, "undecodable answer: " + st.message, {}};
    settle_batch(self, address, batch_id, ack);
    return;
  }
  if (!in_flight(self, address, batch_id))
    return;  // timed out already, or failed with the others of its connection
  // The connection closed with it in flight (or it could not be sent): as when a node goes down
  // over CAF, it fails with everything else for that node, which is skipped until a probe
  // connects again.
  self->state.down[address] = steady::now();
  fail_destination(self, address,
                   o.what == publication_outcome::kind::lost ? "node went down (" + o.why + ")" : "cannot connect: " + o.why);
}

// Sends what is queued for `address`, up to the in-flight bound, many per message.
void flush(broker_self* self, const std::string& address) {
  auto it = self->state.destinations.find(address);
  if (it == self->state.destinations.end())
    return;
  auto& dest = it->second;
  if (!dest.connected()) {
    if (!dest.connecting)
      connect_destination(self, address);
    return;
  }
  // What waited past its publisher's deadline is not sent: that publisher was already told.
  const auto now = steady::now();
  while (!dest.queue.empty() && dest.queue.front().deadline <= now) {
    dest.queue.front().who.answer(address, publish_ack{408, "not sent: its deadline passed while queued", {}});
    dest.queue.pop_front();
  }
  // Linger: with nothing in flight and less than a batch queued, wait a little for more (once
  // per batch; the timer's flush sends whatever is there then).
  const auto& cfg = self->state.cfg;
  if (cfg.linger.count() > 0 && dest.in_flight.empty() && dest.queue.size() < cfg.batch) {
    if (dest.linger_until == steady::time_point{}) {
      dest.linger_until = now + cfg.linger;
      self->delayed_send(self, cfg.linger, linger_atom::value, address);
      return;
    }
    if (now < dest.linger_until)
      return;
  }
  dest.linger_until = {};
  while (!dest.queue.empty() && dest.in_flight.size() < cfg.batches_in_flight) {
    auto n = std::min(cfg.batch, dest.queue.size());
    std::size_t bytes = 0;
    for (std::size_t i = 0; i < n; ++i)
      bytes += dest.queue[i].head.size() + 8;
    std::string batch;
    begin_publication_batch(batch, static_cast<uint32_t>(n), bytes);
    std::vector<owner> owners;
    owners.reserve(n);
    auto deadline = dest.queue.front().deadline;
    for (std::size_t i = 0; i < n; ++i) {
      auto& q = dest.queue.front();
      append_to_batch(batch, q.head, q.targets.empty() ? plain_targets : q.targets);
      owners.push_back(std::move(q.who));
      deadline = std::max(deadline, q.deadline);
      dest.queue.pop_front();
    }
    auto batch_id = self->state.next_id++;
    dest.in_flight.emplace(batch_id, std::move(owners));
    auto timeout = std::max<steady::duration>(deadline - steady::now(), std::chrono::milliseconds{1});
    if (dest.over_transport) {
      carriers.sent_transport.fetch_add(1, std::memory_order_relaxed);
      auto me = caf::actor_cast<caf::weak_actor_ptr>(self->ctrl());
      self->state.transports->publish(dest.route.transport, dest.route.address, batch_id, std::move(batch),
                                      [me, address, batch_id](publication_outcome o) {
                                        if (auto strong = me.lock())
                                          caf::anon_send(caf::actor_cast<caf::actor>(strong),
                                                         publication_outcome_atom::value, address, batch_id, std::move(o));
                                      });
      self->delayed_send(self, timeout, publication_timeout_atom::value, address, batch_id);
      continue;
    }
    carriers.sent_caf.fetch_add(1, std::memory_order_relaxed);
    self->request(dest.remote, timeout, publish_atom::value, std::move(batch))
      .then([self, address, batch_id](publish_ack& ack) { settle_batch(self, address, batch_id, ack); },
            [self, address, batch_id](caf::error& err) {
              if (err == caf::sec::request_timeout)
                settle_batch(self, address, batch_id, publish_ack{408, no_confirmation, {}});
              else
                settle_batch(self, address, batch_id, publish_ack{503, "no answer: " + self->system().render(err), {}});
            });
  }
}

void publish(broker_self* self, publish_order& order, std::shared_ptr<pending_publish> pending) {
  if (!order.head.empty()) {
    // Encoded by the publisher; this path needs the publication itself (rare: queue groups,
    // this process's own nodes, nodes down).
    if (!decode_publication_head(order.head, order.pub)) {
      pending->refuse("broker", publish_ack{500, "publication could not be decoded", {}});
      pending->settle();
      return;
    }
    order.head.clear();
  }
  auto [targets, unreachable, local] = route(self, order.pub.topic, order.subscribers);
  if (targets.empty() && unreachable.empty()) {
    pending->settle();  // nobody subscribes: accepted by all (none) of them
    return;
  }
  pending->waiting_for = targets.size();
  for (auto& [who, why] : unreachable)
    pending->refuse(who, publish_ack{503, why, {}});
  if (targets.empty()) {
    pending->settle();
    return;
  }
  auto deadline = steady::now() + order.timeout;
  for (auto& [address, what] : targets) {
    publication p;
    if (targets.size() == 1)
      p = std::move(order.pub);
    else
      p = order.pub;
    p.targets = what;
    if (local.count(address)) {
      // Our own node: hand it to the receiver side without the network.
      auto owner = pending;
      auto addr = address;
      self->request(caf::actor_cast<caf::actor>(self), order.timeout, publish_atom::value, std::vector<publication>{std::move(p)})
        .then([owner, addr](publish_ack& ack) { owner->answer(addr, ack); },
              [self, owner, addr](caf::error& err) { owner->answer(addr, publish_ack{503, self->system().render(err), {}}); });
      continue;
    }
    auto& dest = self->state.destinations[address];
    queued q{{}, std::move(p.targets), owner{pending, nullptr, nullptr}, deadline};
    encode_publication_head(q.head, p);
    if (q.targets.size() == 1 && q.targets[0].empty())
      q.targets.clear();  // plain
    dest.queue.push_back(std::move(q));
    flush(self, address);
  }
}

// The common case without routing's bookkeeping: only plain subscribers, on nodes of other
// processes, none of them down. An asynchronous publication to one such node needs no
// pending_publish at all. False: nothing done, route it in full.
bool publish_plain(broker_self* self, publish_order& order) {
  const auto& r = route_of(self, order.pub.topic, order.subscribers);
  if (!r.plain_remote)
    return false;
  for (auto& n : r.nodes)
    if (is_down(self, n.address))
      return false;
  owner who;
  if (r.nodes.size() == 1 && !order.done) {
    who.sink = std::move(order.report);
    who.topic = r.topic;
  } else {
    who.pending = std::make_shared<pending_publish>();
    who.pending->waiting_for = r.nodes.size();
    if (order.done) {
      who.pending->done = std::move(order.done);
    } else {
      who.pending->sink = std::move(order.report);
      who.pending->topic = *r.topic;
    }
  }
  const auto deadline = steady::now() + order.timeout;
  // Encoded once (by the publisher's thread, as a rule), whatever the number of nodes.
  std::string head = std::move(order.head);
  if (head.empty())
    encode_publication_head(head, order.pub);
  for (std::size_t i = 0; i < r.nodes.size(); ++i) {
    // r stays valid: nothing below changes the routes
    const auto& address = r.nodes[i].address;
    auto& dest = self->state.destinations[address];
    if (i + 1 == r.nodes.size())
      dest.queue.push_back(queued{std::move(head), {}, std::move(who), deadline});
    else
      dest.queue.push_back(queued{head, {}, who, deadline});
    flush(self, address);
  }
  return true;
}

// ---- receiver side

// Who on this node gets `pub`: every plain subscriber when "" is a target, and one member
// (round robin by fewest in flight) of each targeted group.
// `missing` names a target nobody here serves (any more): the publisher must hear of it.
void recipients(broker_self* self, const publication& pub, std::string& missing, std::vector<local_subscription*>& out) {
  out.clear();
  auto it = self->state.subscriptions.find(pub.topic);
  for (auto& target : pub.targets) {
    local_subscription* best = nullptr;  // for a group: the member with the fewest in flight
    bool any = false;
    if (it != self->state.subscriptions.end())
      for (auto& s : it->second) {
        if (s.spec.queue != target)
          continue;
        any = true;
        if (target.empty())
          out.push_back(&s);
        else if (!best || s.in_flight < best->in_flight)
          best = &s;
      }
    if (best)
      out.push_back(best);
    if (!any)
      missing = target.empty() ? "no subscriber of " + pub.topic + " here"
                               : "no member of queue group " + target + " of " + pub.topic + " here";
  }
}

void finish_if_done(broker_self* self, uint64_t batch_id) {
  auto it = self->state.acking.find(batch_id);
  if (it == self->state.acking.end() || it->second.acks_outstanding > 0)
    return;
  it->second.promise.deliver(it->second.outcome);
  self->state.acking.erase(it);
}

void send_outboxes(broker_self* self, std::vector<local_subscription*>& filled) {
  for (auto* s : filled)
    if (!s->outbox.empty())
      self->send(s->runner, deliver_atom::value, s->id, std::exchange(s->outbox, {}));
  filled.clear();
}

// Hands out the inbox in order; stops at a publication whose recipient has a full window
// (and that would rather wait than refuse): a later batch must not overtake it. What each
// subscription gets goes to its runner in one message at the end.
void drain_inbox(broker_self* self) {
  auto& st = self->state;
  std::vector<local_subscription*> filled;
  std::vector<local_subscription*> who;
  while (!st.inbox.empty()) {
    auto& batch = st.inbox.front();
    while (!batch.handed_out()) {
      auto& pub = batch.items[batch.next];
      std::string missing;
      recipients(self, pub, missing, who);
      if (!missing.empty())
        batch.refuse(batch.next, 404, missing);
      bool blocked = false;
      for (auto* s : who)
        if (s->in_flight >= s->spec.window && !s->spec.refuse_when_full)
          blocked = true;
      if (blocked) {
        send_outboxes(self, filled);
        return;  // resumed when a subscriber reports progress
      }
      for (std::size_t k = 0; k < who.size(); ++k) {
        auto* s = who[k];
        if (s->in_flight >= s->spec.window) {
          s->counters->dropped.fetch_add(1, std::memory_order_relaxed);
          batch.refuse(batch.next, code_full,
                       "subscriber of " + pub.topic + " is full (" + std::to_string(s->spec.window) + " in flight)");
          continue;
        }
        if (!s->spec.handler) {
          s->counters->delivered.fetch_add(1, std::memory_order_relaxed);
          self->send(s->runner, pub);  // a user's actor: no window, no ack
          continue;
        }
        ++s->in_flight;
        s->counters->queued.fetch_add(1, std::memory_order_relaxed);
        bool wants_ack = s->spec.ack;
        if (wants_ack)
          ++batch.acks_outstanding;
        if (s->outbox.empty()) {
          filled.push_back(s);
          s->outbox.reserve(batch.items.size() - batch.next);  // grown once, not by doubling
        }
        // The last recipient takes the publication itself (the batch keeps only its slot).
        const auto batch_id = wants_ack ? batch.id : uint64_t{0};
        const auto index = static_cast<uint32_t>(batch.next);
        if (k + 1 == who.size())
          s->outbox.push_back(delivery{batch_id, index, std::move(pub)});
        else
          s->outbox.push_back(delivery{batch_id, index, pub});
      }
      ++batch.next;
    }
    auto done = std::move(batch);
    st.inbox.pop_front();
    if (done.acks_outstanding == 0) {
      done.promise.deliver(done.outcome);
    } else {
      auto id = done.id;
      st.acking.emplace(id, std::move(done));
    }
  }
  send_outboxes(self, filled);
}

void receive_batch(broker_self* self, std::vector<publication> items, ack_target promise) {
  incoming in;
  in.items = std::move(items);
  in.promise = std::move(promise);
  in.id = self->state.next_id++;
  self->state.inbox.push_back(std::move(in));
  drain_inbox(self);
}

local_subscription* find_subscription(broker_self* self, uint64_t id) {
  for (auto& [topic, subs] : self->state.subscriptions)
    for (auto& s : subs)
      if (s.id == id)
        return &s;
  return nullptr;
}

caf::behavior broker_actor(broker_self* self, caf::actor client, broker_config cfg,
                          std::shared_ptr<transport_client> transports) {
  install_default_handler(self);
  self->state.client = std::move(client);
  self->state.transports = std::move(transports);
  cfg.batch = std::max<std::size_t>(cfg.batch, 1);
  cfg.batches_in_flight = std::max<std::size_t>(cfg.batches_in_flight, 1);
  self->state.cfg = cfg;
  self->set_down_handler([self](caf::down_msg& msg) {
    auto& st = self->state;
    auto found = st.address_of.find(msg.source);
    if (found == st.address_of.end())
      return;
    auto address = found->second;
    st.address_of.erase(found);
    st.down[address] = steady::now();
    // What was in flight to it gets its request error (the monitor of the CAF request); what
    // is still queued fails here.
    fail_destination(self, address, "node went down (" + self->system().render(msg.reason) + ")");
  });
  return {
    [self](publish_atom, publish_order& order) -> caf::result<publish_ack> {
      auto pending = std::make_shared<pending_publish>();
      pending->promise = self->make_response_promise();
      auto rp = pending->promise;
      publish(self, order, std::move(pending));
      return rp;
    },
    [self](publish_atom, std::shared_ptr<async_publisher>& publisher) {
      std::vector<publish_order> taken;
      {
        std::lock_guard<std::mutex> guard{publisher->mutex};
        taken.swap(publisher->queued);
        publisher->queued.swap(publisher->spare);
      }
      for (auto& order : taken) {
        if (publish_plain(self, order))
          continue;
        auto pending = std::make_shared<pending_publish>();
        if (order.done) {
          pending->done = std::move(order.done);
        } else {
          pending->sink = std::move(order.report);
          pending->topic = order.pub.topic;
        }
        publish(self, order, std::move(pending));
      }
      taken.clear();
      std::lock_guard<std::mutex> guard{publisher->mutex};
      if (publisher->spare.capacity() < taken.capacity())
        publisher->spare.swap(taken);
    },
    [self](publish_atom, std::vector<publication>& items) -> caf::result<publish_ack> {
      auto rp = self->make_response_promise();
      receive_batch(self, std::move(items), ack_target{rp, {}});
      return rp;
    },
    [self](publish_atom, std::string& batch) -> caf::result<publish_ack> {
      carriers.received_caf.fetch_add(1, std::memory_order_relaxed);
      std::vector<publication> items;
      if (auto why = decode_publication_batch(batch, items); !why.empty())
        return publish_ack{400, "malformed publication batch: " + why, {}};
      auto rp = self->make_response_promise();
      receive_batch(self, std::move(items), ack_target{rp, {}});
      return rp;
    },
    [self](publish_atom, std::string& batch, publish_reply& reply) {  // a byte transport's (transport_server)
      carriers.received_transport.fetch_add(1, std::memory_order_relaxed);
      std::vector<publication> items;
      if (auto why = decode_publication_batch(batch, items); !why.empty()) {
        reply(publish_ack{400, "malformed publication batch: " + why, {}});
        return;
      }
      receive_batch(self, std::move(items), ack_target{{}, std::move(reply)});
    },
    [self](transport_ready_atom, transport_ready& ready) { transport_connected(self, ready); },
    [self](publication_outcome_atom, const std::string& address, uint64_t batch_id, publication_outcome& o) {
      transport_outcome(self, address, batch_id, o);
    },
    [self](publication_timeout_atom, const std::string& address, uint64_t batch_id) {
      settle_batch(self, address, batch_id, publish_ack{408, no_confirmation, {}});
    },
    [self](done_atom, uint64_t sub_id, std::vector<delivery_outcome>& outcomes) {
      if (auto* s = find_subscription(self, sub_id)) {
        auto n = std::min(s->in_flight, outcomes.size());
        s->in_flight -= n;
        s->counters->queued.fetch_sub(n, std::memory_order_relaxed);
        s->counters->delivered.fetch_add(n, std::memory_order_relaxed);
      }
      for (auto& o : outcomes) {
        if (o.batch_id == 0)
          continue;
        auto it = self->state.acking.find(o.batch_id);
        if (it == self->state.acking.end())
          continue;
        if (o.ack.code != 0 && o.index < it->second.items.size())
          it->second.refuse(o.index, o.ack.code, o.ack.detail);
        --it->second.acks_outstanding;
        finish_if_done(self, o.batch_id);
      }
      drain_inbox(self);
    },
    [self](subscribe_sub_atom, subscription_spec& spec) -> uint64_t {
      local_subscription sub;
      sub.id = self->state.next_id++;
      sub.runner = spec.handler ? spawn_subscriber_actor(self->system(), caf::actor_cast<caf::actor>(self), spec.handler)
                                : spec.actor;
      sub.counters = counters_of(spec.topic);
      sub.spec = std::move(spec);
      auto id = sub.id;
      self->state.subscriptions[sub.spec.topic].push_back(std::move(sub));
      return id;
    },
    [self](unsubscribe_sub_atom, uint64_t id) {
      for (auto& [topic, subs] : self->state.subscriptions) {
        auto it = std::find_if(subs.begin(), subs.end(), [&](const local_subscription& s) { return s.id == id; });
        if (it == subs.end())
          continue;
        if (it->spec.handler)
          self->send_exit(it->runner, caf::exit_reason::user_shutdown);
        it->counters->queued.fetch_sub(it->in_flight, std::memory_order_relaxed);  // never run now
        subs.erase(it);
        break;
      }
      drain_inbox(self);  // a batch waiting for it must not wait forever
    },
    [self](linger_atom, const std::string& address) { flush(self, address); },
    [self](local_node_atom, std::string& node_id) {
      self->state.local_nodes.insert(std::move(node_id));
      self->state.routes.clear();  // `local` is part of what is cached
    },
  };
}

}  // namespace

std::map<std::string, std::shared_ptr<topic_counters>> subscription_counters() {
  std::lock_guard<std::mutex> guard{counters_mutex};
  return counters_by_topic;
}

std::string subscription_key(const std::string& topic) { return "sub:" + topic; }

broker::status to_broker_status(int32_t code, const std::string& detail) {
  auto kind = code == 400 ? broker::errc::invalid_argument : code == 408 ? broker::errc::timeout : broker::errc::unavailable;
  return broker::status{kind, detail, code};
}

void advertise_subscription(registry::metadata& node_meta, const subscription_spec& spec) {
  auto& list = node_meta[subscription_key(spec.topic)];
  const std::string entry = spec.queue.empty() ? plain_subscriber : spec.queue;
  std::stringstream in{list};
  std::string item;
  while (std::getline(in, item, ','))
    if (item == entry)
      return;
  list += (list.empty() ? "" : ",") + entry;
}

registry::endpoint subscriber_endpoint(const subscription_spec& spec, const std::string& message_type) {
  registry::endpoint e;
  e.name = "Subscriber." + spec.topic + (spec.queue.empty() ? "" : "@" + spec.queue);
  e.request = message_type;
  e.meta[subscriber_key] = "true";
  e.meta[topic_key] = spec.topic;
  if (!spec.queue.empty())
    e.meta[queue_key] = spec.queue;
  return e;
}

const carrier_counters& publication_carriers() { return carriers; }

caf::actor spawn_broker_actor(caf::actor_system& sys, caf::actor client_actor, broker_config cfg,
                              std::shared_ptr<transport_client> transports) {
  return sys.spawn(broker_actor, std::move(client_actor), cfg, std::move(transports));
}

}  // namespace micro::actors
