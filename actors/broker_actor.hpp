#pragma once
// The broker actor: pub/sub without a server. One per process.
//
// Publisher side: `(publish_atom, publish_order)` fans a publication out to the nodes whose
// services advertise subscribers of its topic (found in the registry, see micro/client.cpp):
// once per node with plain subscribers, and once per queue group to one member node. Per
// destination node it keeps one queue and at most two batches in flight, so publications
// travel many per message when the publisher is ahead, and in order. The reply comes when
// every destination accepted (or says which did not). A node that goes down fails what was
// in flight to it and is skipped from then on (until it is seen alive again).
//
// The carrier of a node's batches: a node that serves over a byte transport (tcp, memory: its
// registry metadata says so, as for calls) and whose hello says it takes publications gets each
// batch as a publication frame on the process's connection to it (actors/transport_client.hpp,
// the one calls ride), answered by a publish_ack frame; a node served over `caf`, one of an
// older micro, or one whose transport cannot be dialled where the registry says (restarted on a
// new port) gets it as a CAF message over BASP. Only the carrier differs: windows, batches,
// timeouts, order and failures are the same.
//
// Receiver side: a batch of publications (delegated by a node actor, or handed over by the
// node's transport server) hands each publication to the local subscriptions it targets, in
// arrival order. Each subscription
// has an in-flight window: when it is full the batch waits (the publisher waits for its ack),
// or, for subscriptions that asked for it, the publication is refused with 429.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "actors/atoms.hpp"
#include "actors/wire.hpp"
#include "broker/broker.hpp"
#include "caf/actor.hpp"
#include "caf/allowed_unsafe_message_type.hpp"
#include "caf/fwd.hpp"
#include "registry/model.hpp"

namespace micro::actors {

using publish_atom = caf::atom_constant<caf::atom("m_pub")>;
using subscribe_sub_atom = caf::atom_constant<caf::atom("m_subscr")>;
using unsubscribe_sub_atom = caf::atom_constant<caf::atom("m_unsubsc")>;
using local_node_atom = caf::atom_constant<caf::atom("m_localn")>;

using subscriber_list = std::shared_ptr<const std::vector<registry::service>>;

/// How publications travel to each node (MICRO_BROKER_BATCH, _BATCHES_IN_FLIGHT, _LINGER).
struct broker_config {
  std::size_t batch = 256;                  // publications per message to a node at most
  std::size_t batches_in_flight = 2;        // per node: more waits in its queue (in order)
  std::chrono::microseconds linger{0};      // with nothing in flight to a node, wait this long for a fuller batch
};

/// What a publisher asks of its broker.
struct publish_order {
  publication pub;                 // targets are filled in by the broker
  // Or, set by the publisher's own thread (actor_backend): everything but the topic already
  // encoded (actors/publication_batch.hpp), so the broker's one thread only copies bytes.
  std::string head;
  subscriber_list subscribers;     // versions advertising subscribers of pub.topic
  std::chrono::nanoseconds timeout{std::chrono::seconds{5}};
  // Queued through an async_publisher: `done` set = acknowledged (called with the outcome, on
  // the broker's thread); else asynchronous, settled in `report` (broker/broker.hpp).
  std::function<void(const publish_ack&)> done;
  std::shared_ptr<broker::async_report> report;
};

/// A broker status carrying the actor broker's code and detail ("not accepted by ...").
broker::status to_broker_status(int32_t code, const std::string& detail);

/// A publisher's queue to its broker (one per actor_backend, actors/actor_backend.hpp):
/// publishers append to `queued` (returning at once), the broker takes them in one go per
/// wake-up.
struct async_publisher {
  std::mutex mutex;
  std::vector<publish_order> queued;
  // What the broker took last time, emptied: handed back as the next `queued`, so the queue
  // keeps its capacity instead of growing from nothing after every wake-up.
  std::vector<publish_order> spare;

  /// Appends `order`; true if the broker must be woken (the queue was empty).
  bool push(publish_order&& order) {
    std::lock_guard<std::mutex> guard{mutex};
    queued.push_back(std::move(order));
    return queued.size() == 1;
  }
};

/// Where the ack of a batch that came over a byte transport goes: its connection, as a
/// publish_ack frame (actors/transport_server.hpp writes it). Copyable (it travels in a CAF
/// message); the first answer wins, and if every copy is dropped unanswered (the broker stopped
/// with the batch queued) the publisher gets a 503 at once rather than waiting for its timeout.
class publish_reply {
 public:
  using writer = std::function<void(const publish_ack&)>;
  publish_reply() = default;
  explicit publish_reply(writer w) : state_{std::make_shared<state>(std::move(w))} {}
  /// Writes `ack`, unless this batch was answered already. Any thread.
  void operator()(const publish_ack& ack) const {
    if (state_)
      state_->answer(ack);
  }
  explicit operator bool() const { return state_ != nullptr; }

 private:
  struct state {
    explicit state(writer w) : write{std::move(w)} {}
    ~state() { answer(publish_ack{503, "the broker stopped before it answered the batch", {}}); }
    void answer(const publish_ack& ack) {
      if (!answered.exchange(true))
        write(ack);
    }
    std::atomic<bool> answered{false};
    writer write;
  };
  std::shared_ptr<state> state_;
};

/// Batches of publications this process's broker sent and received, by carrier: a byte
/// transport's connection (publication frames) or CAF's BASP. Debug.Stats shows them
/// ("publication_batches"); the tests read them to know which carrier a publication took.
struct carrier_counters {
  std::atomic<uint64_t> sent_transport{0};
  std::atomic<uint64_t> sent_caf{0};
  std::atomic<uint64_t> received_transport{0};
  std::atomic<uint64_t> received_caf{0};
};
const carrier_counters& publication_carriers();

class transport_client;

/// Runs one publication for a subscription, on the subscription's own thread: 0 or an error
/// code with a detail. The publication is the handler's to take apart (moved, not copied).
using subscription_handler = std::function<publish_ack(publication&)>;

/// A local subscription. Exactly one of `handler` (run in order on a thread of its own) and
/// `actor` (receives each `publication` as a message; no window: it must keep up) is set.
/// (The actor backend always sets `handler`: a user's actor subscriber is a handler that sends.)
struct subscription_spec {
  std::string topic;
  std::string queue;           // empty: plain subscriber
  std::size_t window = 65536;  // publications queued or running at once
  bool refuse_when_full = true;   // true: dropped (counted, 429 to the publisher); false: the publisher waits
  bool ack = false;            // true: the publisher's ack waits for the handler, and carries its error
  subscription_handler handler;
  caf::actor actor;
};

/// What this process's subscriptions of one topic did (summed over them; Debug.Stats shows it).
struct topic_counters {
  std::atomic<uint64_t> delivered{0};  // handlers run (or handed to a subscriber actor)
  std::atomic<uint64_t> dropped{0};    // refused because the subscription was full (the publisher hears a 429)
  std::atomic<uint64_t> queued{0};     // handed to a handler's queue, not done yet
};

/// The counters of every topic this process subscribes to through the actor broker, by topic.
std::map<std::string, std::shared_ptr<topic_counters>> subscription_counters();

/// Endpoint metadata keys that describe a subscription in the registry (for people and tools:
/// `micro describe`).
inline constexpr const char* subscriber_key = "subscriber";
inline constexpr const char* topic_key = "topic";
inline constexpr const char* queue_key = "queue";

/// The registry endpoint that describes `spec` (name "Subscriber.<topic>[@<queue>]").
registry::endpoint subscriber_endpoint(const subscription_spec& spec, const std::string& message_type);

/// What routing reads: node metadata `sub:<topic>` = the node's subscriptions of the topic, a
/// comma-separated list of "*" (plain subscribers) and queue group names. Per node, because
/// nodes of one service version may subscribe differently.
std::string subscription_key(const std::string& topic);
constexpr const char* plain_subscriber = "*";

/// Adds `spec` to a node's metadata.
void advertise_subscription(registry::metadata& node_meta, const subscription_spec& spec);

/// Messages:
/// - `(publish_atom, publish_order)` -> `publish_ack`
/// - `(publish_atom, std::shared_ptr<async_publisher>)`: takes what it queued (no answer)
/// - `(publish_atom, std::string batch)` -> `publish_ack` (from remote brokers over CAF: a batch
///   encoded as actors/publication_batch.hpp says; one that does not parse is refused whole with 400)
/// - `(publish_atom, std::string batch, publish_reply)`: the same from a byte transport's
///   connection; the ack goes to `publish_reply`
/// - `(publish_atom, std::vector<publication>)` -> `publish_ack` (from this process's own broker)
/// - `(subscribe_sub_atom, subscription_spec)` -> `uint64_t` id; `(unsubscribe_sub_atom, uint64_t)`
/// - `(local_node_atom, std::string node_id)`: publications for this node stay in process.
/// `transports`: the process's connections over byte transports (the direct path's, shared with
/// calls); null: every batch goes over CAF.
caf::actor spawn_broker_actor(caf::actor_system& sys, caf::actor client_actor, broker_config cfg = {},
                              std::shared_ptr<transport_client> transports = nullptr);

}  // namespace micro::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(micro::actors::publish_order)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::shared_ptr<micro::actors::async_publisher>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(micro::actors::subscription_spec)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(micro::actors::publish_reply)
