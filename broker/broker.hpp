// Broker backends: where publications go when micro does not carry them itself. The default
// broker is micro's own actor broker (actors/broker_actor.hpp), which needs no server; a backend
// here (NATS) replaces its cross-node forwarding. No CAF in this library.
//
// Semantics every backend keeps (the same test suite runs against each):
// - publish returns once the backend has accepted the message (for NATS: the server has it).
// - every plain subscription of a topic gets each message once; a queue group gets it once in
//   total, whichever member.
// - messages from one publisher on one topic reach each subscriber in order.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace micro::broker {

using metadata = std::map<std::string, std::string>;

struct message {
  std::string topic;
  std::string content_type;  // of body; travels with it (NATS: a header)
  metadata meta;             // user metadata (NATS: headers)
  std::string body;
};

enum class errc { ok = 0, invalid_argument, unavailable, timeout };

struct status {
  errc code = errc::ok;
  std::string message;  // names the backend and what failed, e.g. "broker nats: ..."
  bool ok() const noexcept { return code == errc::ok; }
  explicit operator bool() const noexcept { return ok(); }
};

template <class T>
struct result {
  status st;
  T value{};
  bool ok() const noexcept { return st.ok(); }
  explicit operator bool() const noexcept { return ok(); }
};

struct subscribe_options {
  std::string queue;  // empty: every subscriber gets each message; else one member of the group
};

/// Called for each message, on a thread of the backend. It may block briefly (that is how a
/// slow subscriber slows delivery); it must not throw.
using deliver_fn = std::function<void(message&&)>;

class subscription {
 public:
  virtual ~subscription();
  /// Stops delivery; no deliver_fn call starts after it returns. Idempotent.
  virtual void unsubscribe() = 0;
};

class backend {
 public:
  virtual ~backend();
  /// "nats".
  virtual std::string name() const = 0;
  /// Returns once the backend has accepted `m`.
  virtual status publish(const message& m) = 0;
  /// Hands `m` to the backend's own buffering and returns without waiting for the server (at
  /// most once: a later loss is not reported here). Errors known at once (bad topic, not
  /// connected) are returned.
  virtual status publish_async(const message& m) = 0;
  /// Waits until what publish_async buffered reached the server (or the bound passed).
  virtual status flush() = 0;
  /// Publishes all of `batch` in order and returns once the backend has accepted all of them
  /// (one round trip for the lot, where the backend allows).
  virtual status publish_batch(const std::vector<message>& batch) = 0;
  virtual result<std::unique_ptr<subscription>> subscribe(const std::string& topic, const subscribe_options& opts,
                                                          deliver_fn deliver) = 0;
};

/// TLS files for a backend that connects to a server (PEM; empty: TLS off).
struct tls_files {
  std::string ca, cert, key;
};

/// "nats" with address "nats://127.0.0.1:4222" (empty: that default). unavailable, naming the
/// address and how to start a server, when it cannot connect; invalid_argument for an unknown
/// name (listing the known ones) or TLS files libnats cannot load.
result<std::shared_ptr<backend>> make_backend(const std::string& name, const std::string& address,
                                              const tls_files& tls = {});

}  // namespace micro::broker
