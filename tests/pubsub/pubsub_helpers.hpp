// Helpers of the pub/sub tests: subscriber processes (micro-pubsub-test-server) found over mDNS,
// a publisher client, and reading what each subscriber printed.
//
// The broker is whatever this process's MICRO_BROKER / MICRO_BROKER_ADDRESS say (default: micro's
// actor broker); the subscriber processes get the same values, so the cases can run against NATS
// as well. Cases that test features of the actor broker itself (windows, acks, node-down
// handling) are tagged [actor] and do nothing but warn under another broker.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <utility>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "harness.hpp"
#include "tick.pb.h"

namespace micro::test {

/// A name unique to this test process and call (services, topics).
std::string unique_name(const std::string& base);

/// MICRO_BROKER and MICRO_BROKER_ADDRESS of this process (only those set), for the subscribers.
std::map<std::string, std::string> broker_env();
/// "actor" unless MICRO_BROKER says otherwise.
std::string broker_kind();
/// True when the actor broker runs; otherwise WARNs that `what` is skipped.
bool actor_broker_or_skip(const std::string& what);

/// What micro-pubsub-test-server is started with (see its header comment).
struct subscriber_config {
  subscriber_config(std::string n, std::string t) : name(std::move(n)), topics(std::move(t)) {}

  std::string name;                 // service name (several processes may share one)
  std::string topics;               // comma-separated
  std::string queue;                // queue group ("" plain)
  std::size_t window = 0;           // 0: micro's default
  bool refuse_when_full = false;
  bool ack = false;
  bool raw = false;                 // subscribe_raw instead of to pubsubtest.Tick
  int delay_ms = 0;
  std::string address = "127.0.0.1:0";  // where it listens (a fixed port: a node restarted in place)
};

/// One "got TOPIC SEQ K=V..." line.
struct got_line {
  std::string topic;
  std::string seq;
  micro::metadata meta;
  bool marker() const { return meta.count("marker") > 0; }
  uint64_t number() const { return std::stoull(seq); }
};

/// What the subscriber processes serve over: MICRO_TEST_TRANSPORT (CMake runs the suite once more
/// with caf, as pubsub.caf.*), else micro's default, tcp. Publications to a node follow it: a
/// publication frame on its transport's connection, or a CAF message over BASP for caf.
std::string test_transport();

/// A running subscriber process and what it printed so far.
struct subscriber {
  running_server srv;   // proc, name, address
  std::string node_id;
  std::string transport;          // what it serves over (checked: test_transport())
  std::string transport_address;  // its port there ("-" for caf)
  std::vector<got_line> lines;       // every "got" line read so far, markers included

  /// Reads one stdout line if one comes within `timeout`; true if it was a "got" line.
  bool poll(milliseconds timeout);
  /// Reads until `pred()` holds; false on timeout or end of output.
  template <class Pred>
  bool read_until(Pred pred, milliseconds timeout = 20s) {
    auto until = steady_clock::now() + timeout;
    while (!pred()) {
      auto left = std::chrono::duration_cast<milliseconds>(until - steady_clock::now());
      if (left.count() <= 0)
        return false;
      if (!poll(left) && !srv.proc->running() && !pred())
        return false;
    }
    return true;
  }
  /// The "got" lines that are not markers.
  std::vector<got_line> received() const;
  /// Their sequence numbers.
  std::vector<uint64_t> seqs() const;
  /// Whether a marker with tag `m` was read.
  bool saw_marker(const std::string& m) const;
  /// VmRSS of the process in kB (from /proc/<pid>/status), -1 if unreadable.
  long rss_kb() const;
  pid_t pid() const { return srv.proc->pid(); }
};

/// Starts a subscriber and waits (by reading its output) until it is ready: its subscriptions
/// are at its broker and it is registered. Fails the test with its output otherwise.
std::unique_ptr<subscriber> start_subscriber(const subscriber_config& cfg);

/// A client over mDNS with this process's MICRO_* environment (broker included).
std::unique_ptr<micro::client> publisher_client();

/// A Tick with `seq` and `payload_bytes` bytes of payload.
pubsubtest::Tick tick(uint64_t seq, std::size_t payload_bytes = 0);

/// Waits until `c` sees every subscriber in the registry (and has a connection to it), then
/// publishes markers on `topic` until each of `subs` printed one: from then on a publication
/// on `topic` reaches all of them (a queue group's member only when chosen).
void await_subscribed(micro::client& c, const std::string& topic, const std::vector<subscriber*>& subs);

/// Publishes markers on `topic` until each of `subs` printed one (a queue group needs several:
/// a marker goes to one member). Since a publisher's publications reach a subscription in
/// order, when a subscriber printed a marker it printed everything published before it.
/// Returns false if that does not happen within `timeout`.
bool drain(micro::client& c, const std::string& topic, const std::vector<subscriber*>& subs,
           milliseconds timeout = 20s);

/// Reads the subscribers' output until `pred()` holds (polling each pipe in turn).
template <class Pred>
bool read_all_until(const std::vector<subscriber*>& subs, Pred pred, milliseconds timeout = 20s) {
  auto until = steady_clock::now() + timeout;
  while (!pred()) {
    if (steady_clock::now() > until)
      return false;
    for (auto* s : subs)
      while (s->poll(0ms)) {
      }
    if (pred())
      return true;
    // Block briefly on one pipe (any line wakes us); the others are polled next round.
    for (auto* s : subs)
      if (s->poll(2ms))
        break;
  }
  return true;
}

/// Batches of publications a process's broker sent and received, by carrier (Debug.Stats'
/// "publication_batches").
struct carrier_counts {
  uint64_t sent_transport = 0, sent_caf = 0, received_transport = 0, received_caf = 0;
};
/// The subscriber's, read with a Debug.Stats call from `c`.
carrier_counts carriers_of(micro::client& c, const subscriber& s);
/// This process's.
carrier_counts own_carriers();

/// Sequence numbers seen more than once.
std::vector<uint64_t> duplicates(const std::vector<uint64_t>& seqs);

}  // namespace micro::test
