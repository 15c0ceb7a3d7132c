#pragma once
// Publish/subscribe, go-micro's broker model: `client.publish(topic, msg)` and
// `server.subscribe(topic, handler)`. Subscriptions are advertised in the registry with the
// service, so publishers on any node find the subscribers without a central server. The broker
// backend MICRO_BROKER names carries the publications (broker/factory.hpp: micro's own broker
// actors by default, or a backend with a server); micro/pubsub.cpp is the one place that talks
// to it. What follows is the default backend's behaviour; README (Pub/sub) says what a backend
// with a server keeps and ignores.
//
// - Every plain subscriber of a topic gets each publication once; a queue group gets it once in
//   total, at one member, across all nodes.
// - publish returns once every node with a subscriber of the topic accepted the publication
//   (queued it for its subscribers), or with an error naming the nodes that did not.
// - Publications of one publisher on one topic reach each subscriber in order.
// - A subscription has an in-flight window (default 65536 queued or running): past it a
//   publication is dropped for it, counted, and the publisher hears a 429; or, with
//   with_wait_when_full(), the publisher waits.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <type_traits>

#include "codecs/codec.hpp"
#include "micro/context.hpp"
#include "micro/error.hpp"
#include "micro/message.hpp"
#include "micro/result.hpp"

namespace micro {

/// What `publish` waits for (README, Pub/sub):
/// - async: the publication is queued locally; batches go to each subscribing node; at most
///   once; failures reach the client's publish-error callback and counters, never the caller.
/// - acknowledged: every subscribing node the registry lists accepted it (queued it for its
///   subscribers), or an error names each one that did not.
enum class delivery { async, acknowledged };

struct publish_options {
  std::string content_type;               // empty: the client's, else the message type's codec
  micro::metadata metadata;               // travels with the publication
  std::chrono::milliseconds timeout{0};   // 0: the client's request timeout
  std::optional<delivery> mode;           // unset: the client's (MICRO_PUBLISH_MODE)

  publish_options& with_content_type(std::string ct) { content_type = std::move(ct); return *this; }
  publish_options& with_metadata(std::string k, std::string v) { metadata[std::move(k)] = std::move(v); return *this; }
  publish_options& with_timeout(std::chrono::milliseconds t) { timeout = t; return *this; }
  publish_options& with_mode(delivery m) { mode = m; return *this; }
};

/// A client's asynchronous publications so far (client::publications()).
struct publish_stats {
  uint64_t published = 0;  // accepted by every subscribing node (or nobody subscribed)
  uint64_t failed = 0;     // not accepted by some node, or refused at once (queue full, bad input)
  uint64_t in_flight = 0;  // queued or sent, not settled yet
};

struct subscribe_options {
  std::string queue;               // empty: every publication; else one member of the group gets it
  std::size_t window = 65536;      // publications queued or running at once for this subscription
  // Past the window: true (default) = dropped, counted (Debug.Stats) and reported to the
  // publisher as a 429 (an acknowledged publish fails, an async one is counted as failed); a
  // slow subscriber then never grows memory nor stalls the node's other subscribers. false =
  // the publisher waits (push-back), and so does every later publication to this node.
  bool refuse_when_full = true;
  bool ack = false;                // the publisher waits for the handler and gets its error

  subscribe_options& with_queue(std::string q) { queue = std::move(q); return *this; }
  subscribe_options& with_window(std::size_t w) { window = w; return *this; }
  subscribe_options& with_refuse_when_full(bool on = true) { refuse_when_full = on; return *this; }
  subscribe_options& with_wait_when_full() { refuse_when_full = false; return *this; }
  subscribe_options& with_ack(bool on = true) { ack = on; return *this; }
};

/// A subscriber at the byte level. The context carries the publication's metadata and the
/// topic (as its endpoint, "Subscriber.<topic>"). An error is logged, or returned to the
/// publisher for `ack` subscriptions.
using raw_subscriber = std::function<status(const context&, const raw_message&)>;

namespace detail {

/// Deduces T from a subscriber `void(const context&, const T&)`.
template <class F>
struct subscriber_traits : subscriber_traits<decltype(&std::decay_t<F>::operator())> {};

template <class R, class Ctx, class T>
struct subscriber_traits<R (*)(Ctx, T)> {
  using message = std::decay_t<T>;
  static_assert(std::is_same_v<std::decay_t<Ctx>, context>, "a subscriber's first argument is a micro::context");
};

template <class R, class C, class Ctx, class T>
struct subscriber_traits<R (C::*)(Ctx, T) const> : subscriber_traits<R (*)(Ctx, T)> {};

template <class R, class C, class Ctx, class T>
struct subscriber_traits<R (C::*)(Ctx, T)> : subscriber_traits<R (*)(Ctx, T)> {};

}  // namespace detail

/// Decodes by the publication's content type, then runs the typed subscriber. A micro::error it
/// throws keeps its code; other exceptions become 500.
template <class T, class F>
raw_subscriber make_raw_subscriber(F f) {
  return [f = std::move(f)](const context& ctx, const raw_message& in) -> status {
    T value{};
    if (auto st = codecs::decode(in.content_type, in.body, value); !st)
      return errors::bad_request("micro.broker", "cannot decode publication on " + ctx.endpoint() + ": " + st.message);
    try {
      f(ctx, value);
    } catch (const micro::error& e) {
      return e;
    } catch (const std::exception& e) {
      return errors::internal_server_error("micro.broker", e.what());
    }
    return {};
  };
}

}  // namespace micro
