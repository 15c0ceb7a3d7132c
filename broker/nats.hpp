// The NATS backend: micro's publications over a NATS server (core NATS, libnats' C client).
//
// Mapping (see broker/README.md):
// - a topic is a NATS subject: dot-separated tokens, no whitespace or control characters, no
//   empty token, at most max_subject_bytes. Publishing to a wildcard (a token that is exactly
//   `*` or `>`) is refused; subscribing to one is allowed (`>` last only), and then each
//   message's topic is the subject it was published to.
// - a queue group is a NATS queue group: each message goes to one member in total.
// - content type travels as the header `Content-Type`, each metadata entry as the header
//   `Micro-Meta-<key>` (NATS headers: server 2.2 or later). NATS trims header values and has no
//   empty ones, so keys and values are percent-encoded where needed to come back byte for byte
//   (see encode_header_text); an empty value travels as a lone `%`. On receipt any other
//   header (from a non-micro publisher) becomes a metadata entry under its own name.
// - publish returns once the server has the message: PUB, then a PING/PONG round trip
//   (natsConnection_FlushTimeout) bounded by nats_options::flush_timeout. publish_batch sends
//   all messages and then does one round trip.
//
// Delivery is core NATS: at most once. A message published while no subscriber is connected
// is gone; a subscriber more than pending_msgs_limit messages (or pending_bytes_limit bytes)
// behind loses messages, which is logged (with the count) on stderr. A publish that fails with
// timeout may still be delivered (the server may have it; only the answer is missing).
//
// One connection per backend (client name "micro"), reconnecting forever every
// reconnect_wait while the server is away: publishes fail with unavailable meanwhile (nothing is
// buffered behind the caller's back), subscriptions are re-made by libnats on reconnect. Each
// loss and recovery of the server is logged once on stderr.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "broker/broker.hpp"

namespace micro::broker {

struct nats_options {
  /// nats://host:port (a bare host:port gets the nats:// scheme). Empty: nats://127.0.0.1:4222.
  std::string url;
  /// Client name the server shows (connz).
  std::string name = "micro";
  /// Bound on connecting to the server, for the first connection and each reconnect attempt.
  std::chrono::milliseconds connect_timeout{2000};
  /// Bound on the round trip that confirms a publish (or a batch) reached the server.
  std::chrono::milliseconds flush_timeout{5000};
  /// Wait between reconnect attempts while the server is away.
  std::chrono::milliseconds reconnect_wait{1000};
  /// Per subscription: messages (and bytes) held for a slow deliver_fn before NATS drops
  /// (a "slow consumer"). libnats' defaults.
  int pending_msgs_limit = 65536;
  int pending_bytes_limit = 64 * 1024 * 1024;
  /// TLS (PEM files): with a CA the connection is TLS and the server's certificate must chain to
  /// it (and name the host of `url`, libnats' check); a certificate and key are shown to a server
  /// that verifies clients (nats-server --tlsverify).
  tls_files tls;
};

inline constexpr const char* kDefaultNatsUrl = "nats://127.0.0.1:4222";
inline constexpr std::size_t kMaxSubjectBytes = 1024;  // well under the server's 4 KiB protocol line
inline constexpr std::size_t kMaxQueueBytes = 256;
inline constexpr const char* kContentTypeHeader = "Content-Type";
inline constexpr const char* kMetaHeaderPrefix = "Micro-Meta-";

/// Whether `subject` may be published to (for_subscribe false) or subscribed to (true: with
/// wildcards). The reason on failure, e.g. `topic "a b": contains whitespace`.
status check_subject(const std::string& subject, bool for_subscribe);

/// How a metadata key (is_key) or a value travels in a NATS header: `%`, control bytes and
/// 0x7f as %XX; in a key also space, ':' and bytes >= 0x80; in a value also a space or byte
/// >= 0x80 at either end (libnats trims those). An empty value is "%". decode reverses it.
std::string encode_header_text(const std::string& text, bool is_key);
std::string decode_header_text(const std::string& text);

class nats_backend final : public backend {
 public:
  /// Connects. unavailable (naming the address, how to start a server and the MICRO_BROKER
  /// alternative) when no server answers; invalid_argument for a malformed URL.
  static result<std::shared_ptr<nats_backend>> connect(nats_options opts = {});

  /// Closes the connection: every subscription of this backend stops delivering (its
  /// unsubscribe() then returns at once).
  ~nats_backend() override;
  nats_backend(const nats_backend&) = delete;
  nats_backend& operator=(const nats_backend&) = delete;

  std::string name() const override;
  status publish(const message& m) override;
  status publish_async(const message& m) override;
  status flush() override;
  status publish_batch(const std::vector<message>& batch) override;
  result<std::unique_ptr<subscription>> subscribe(const std::string& topic, const subscribe_options& opts,
                                                  deliver_fn deliver) override;

  /// The server's URL as given (after defaulting).
  const std::string& url() const noexcept;

  struct state;

 private:
  explicit nats_backend(std::shared_ptr<state> s);
  std::shared_ptr<state> state_;
};

}  // namespace micro::broker
