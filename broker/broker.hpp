// Broker backends: how publications travel. Two plug in behind one factory (factory.hpp):
// `actor`, micro's own broker with no server (its CAF half lives in actors/, a higher layer),
// and `nats`. micro/pubsub.cpp talks to whichever one through this interface only. No CAF in
// this library.
//
// Semantics every backend keeps (the same test suites run against each):
// - publish returns once the backend has accepted the message (nats: the server has it; actor:
//   every subscribing node the registry lists has queued it for its subscribers).
// - every plain subscription of a topic gets each message once; a queue group gets it once in
//   total, whichever member.
// - messages from one publisher on one topic reach each subscriber in order.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace micro::broker {

using metadata = std::map<std::string, std::string>;

struct message {
  std::string topic;
  std::string content_type;  // of body; travels with it (NATS: a header)
  metadata meta;             // user metadata (NATS: headers)
  std::string body;
  /// Bound on an acknowledged publish of this message; 0: the backend's own (actor: the
  /// timeout it was made with). nats ignores it: its flush_timeout bounds every publish.
  std::chrono::milliseconds timeout{0};
};

enum class errc { ok = 0, invalid_argument, unavailable, timeout };

struct status {
  errc code = errc::ok;
  std::string message;  // names the backend and what failed, e.g. "broker nats: ..."
  /// micro's HTTP-like code when the backend knows a finer one than `code` (the actor broker
  /// relays its nodes' 404/408/429/503 and an `ack` subscriber's own error); 0: micro derives
  /// it from `code` (400, 503, 408).
  int32_t micro_code = 0;
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

/// What a subscription asks for. Each backend honours what it can and documents the rest as
/// ignored (broker/README.md): nats keeps only `queue` (it applies its own pending limits, and
/// its publishers never wait for a subscriber).
struct subscribe_options {
  std::string queue;  // empty: every subscriber gets each message; else one member of the group
  /// Messages queued or running at once for this subscription (actor).
  std::size_t window = 65536;
  /// Past the window (actor): true = dropped, counted and refused to the publisher (429);
  /// false = the publisher waits.
  bool refuse_when_full = true;
  /// The publisher's acknowledgement waits for deliver and carries its error (actor).
  bool ack = false;
};

/// Called for each message, on a thread of the backend, one at a time per subscription. It
/// may block briefly (that is how a slow subscriber slows delivery); it must not throw. Its
/// status goes back to the publisher where the backend acknowledges per subscriber
/// (subscribe_options::ack); a callable returning void means ok.
class deliver_fn {
 public:
  deliver_fn() = default;
  deliver_fn(std::nullptr_t) {}  // NOLINT: a missing function, refused by subscribe
  template <class F, class = std::enable_if_t<!std::is_same_v<std::decay_t<F>, deliver_fn> &&
                                              std::is_invocable_v<F&, message&&>>>
  deliver_fn(F f) {  // NOLINT: any callable, as std::function would take it
    if constexpr (std::is_void_v<std::invoke_result_t<F&, message&&>>)
      fn_ = [f = std::move(f)](message&& m) mutable -> status {
        f(std::move(m));
        return {};
      };
    else
      fn_ = std::move(f);
  }
  status operator()(message&& m) const { return fn_(std::move(m)); }
  explicit operator bool() const noexcept { return static_cast<bool>(fn_); }

 private:
  std::function<status(message&&)> fn_;
};

class subscription {
 public:
  virtual ~subscription();
  /// Stops delivery; no deliver_fn call starts after it returns. Idempotent.
  virtual void unsubscribe() = 0;
};

/// What became of one publisher's asynchronous publications (micro's asynchronous mode),
/// shared by micro's client and its backend. Every publication counted in `in_flight` is
/// settled exactly once, by the backend, now or later on one of its threads.
struct async_report {
  std::mutex mutex;
  std::condition_variable settled_cv;   // in_flight reached 0
  std::atomic<uint64_t> in_flight{0};   // accepted, not settled yet
  std::atomic<uint64_t> published{0};   // settled ok
  std::atomic<uint64_t> failed{0};      // settled with an error, or refused at once
  /// Called (on a backend thread; it must not block) for each failure settled later. Set it
  /// before publishing.
  std::function<void(const std::string& topic, const status& st)> on_failure;

  void settle(const std::string& topic, const status& st);
};

class backend {
 public:
  virtual ~backend();
  /// "actor", "nats".
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

  // micro's two delivery modes. The defaults suit a backend that knows nothing after a call
  // returns (nats); the actor broker overrides them to pipeline and to report outcomes later.

  /// Acknowledged without holding the caller where the backend can pipeline: `done` gets the
  /// outcome once, on a backend thread or before this returns. Default: done(publish(m)).
  virtual void publish(const message& m, std::function<void(const status&)> done);
  /// Asynchronous: an error returned is a refusal at once (the caller counts it); otherwise the
  /// publication is counted in report.in_flight and settled there exactly once. Default: settled
  /// ok as soon as publish_async accepted it. `m` is the backend's to keep (no copy per publish).
  virtual status publish_async(message&& m, const std::shared_ptr<async_report>& report);
  /// Node metadata a subscribing node advertises in the registry so that publishers find it
  /// (actor: `sub:<topic>`). Default: none (a server routes).
  virtual void advertise(metadata& node_meta, const std::string& topic, const subscribe_options& opts) const;
};

/// TLS files for a backend that connects to a server (PEM; empty: TLS off).
struct tls_files {
  std::string ca, cert, key;
};

}  // namespace micro::broker
