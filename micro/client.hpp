#pragma once
// micro::client: calls services found through the registry. `call` blocks the calling thread
// (any plain thread, including a handler's); from inside a CAF actor use micro/actor_api.hpp.

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "codecs/codec.hpp"
#include "codecs/type_name.hpp"
#include "micro/call_options.hpp"
#include "micro/context.hpp"
#include "micro/message.hpp"
#include "micro/options.hpp"
#include "micro/pubsub.hpp"
#include "micro/result.hpp"
#include "micro/selector.hpp"
#include "micro/stream.hpp"
#include "registry/model.hpp"
#include "registry/registry.hpp"

namespace micro {

class client;

/// A byte-level call, as wrappers see it.
using call_func = std::function<result<raw_message>(const context& parent, const std::string& service,
                                                    const std::string& endpoint, const raw_message& req,
                                                    const call_options& opts)>;
/// Client middleware (go-micro's client.CallWrapper): gets the next step, returns a step that
/// may change the request or options, short-circuit with an error, or look at the result.
using call_wrapper = std::function<call_func(call_func next)>;

class client {
 public:
  /// A client configured by `opts` (registry, timeouts), overridden by MICRO_* environment
  /// variables unless `opts.read_environment` is false or the environment was applied already
  /// (micro/options.hpp). It shares the process's actor system. Never throws: a configuration
  /// that cannot work (a bad MICRO_* value, a registry that cannot be opened) makes every call
  /// fail with the reason (400 for a bad setting, 503 for an unreachable registry).
  explicit client(options opts = {});
  /// The same with a registry of your own (the environment still sets the other options).
  client(options opts, std::shared_ptr<registry::registry> reg);
  ~client();

  /// Ok, or the configuration error every call of this client returns (a bad MICRO_* value, a
  /// registry that cannot be opened): check it once after construction to fail early.
  status configured() const;
  client(const client&) = delete;
  client& operator=(const client&) = delete;

  template <class Rsp, class Req>
  result<Rsp> call(const std::string& service, const std::string& endpoint, const Req& req,
                   const call_options& opts = {}) {
    return call<Rsp>(context{}, service, endpoint, req, opts);
  }

  /// A call made on behalf of `parent` (usually a handler's context): inherits its deadline
  /// (whichever is earlier) and its metadata.
  template <class Rsp, class Req>
  result<Rsp> call(const context& parent, const std::string& service, const std::string& endpoint,
                   const Req& req, const call_options& opts = {});

  /// The byte-level call (the CLI's): `req.content_type` and `req.accept` are sent as given.
  result<raw_message> call_raw(const context& parent, const std::string& service,
                               const std::string& endpoint, const raw_message& req,
                               const call_options& opts = {});

  /// Opens a stream to `endpoint` of `service` (micro/stream.hpp): sends Req, receives Rsp.
  /// Returns once a node accepted it, or the error why none did (404 no such stream endpoint,
  /// 503 no node, 408 open timed out, ...).
  template <class Req, class Rsp>
  result<client_stream<Req, Rsp>> stream(const std::string& service, const std::string& endpoint,
                                         const stream_options& opts = {}) {
    return stream<Req, Rsp>(context{}, service, endpoint, opts);
  }

  /// A stream opened on behalf of `parent`: inherits its deadline and metadata.
  template <class Req, class Rsp>
  result<client_stream<Req, Rsp>> stream(const context& parent, const std::string& service,
                                         const std::string& endpoint, const stream_options& opts = {});

  /// The byte-level stream: content type from `opts` (else the client's, else
  /// application/octet-stream); accept from `opts` (else the content type).
  result<raw_stream> stream_raw(const context& parent, const std::string& service, const std::string& endpoint,
                                const stream_options& opts = {});
  result<raw_stream> stream_raw(const std::string& service, const std::string& endpoint, const stream_options& opts = {}) {
    return stream_raw(context{}, service, endpoint, opts);
  }

  /// Publishes `msg` on `topic` to every subscriber (micro/pubsub.hpp). Asynchronous (the
  /// default, MICRO_PUBLISH_MODE): returns once queued locally (an error only if it cannot be
  /// queued); later failures reach on_publish_error and publications(). Acknowledged: returns
  /// once every node with a subscriber accepted it, or an error naming those that did not.
  template <class T>
  status publish(const std::string& topic, const T& msg, const publish_options& opts = {});

  /// The byte-level publish: `msg.content_type` and `msg.metadata` travel as given (plus opts').
  status publish_raw(const std::string& topic, const raw_message& msg, const publish_options& opts = {});

  /// Acknowledged without blocking (pipelined from one thread): `done` gets what publish_raw in
  /// acknowledged mode would return, on a broker thread (it must not block). Publications of
  /// one publisher still reach each subscriber in order. Counted in publications().in_flight
  /// and bounded by publish_queue_limit (past it `done` gets a 429 at once).
  void publish_acknowledged(const std::string& topic, const raw_message& msg, std::function<void(const status&)> done,
                            const publish_options& opts = {});

  /// Counters of this client's asynchronous publications.
  publish_stats publications() const;
  /// Called (on a broker thread; it must not block) for each asynchronous publication some
  /// subscribing node did not accept. Set it before publishing.
  void on_publish_error(std::function<void(const std::string& topic, const error& err)> callback);
  /// Waits until every asynchronous publication is settled (accepted or failed); false if
  /// `timeout` passed first. The destructor does this, bounded by the request timeout.
  bool flush_publications(std::chrono::milliseconds timeout);

  /// The addresses of the nodes that would be candidates for `service` (after `filters`).
  result<std::vector<std::string>> resolve(const std::string& service, const std::vector<named_filter>& filters = {});

  /// Forgets the marks (failures, open circuits, latencies) of every node of `service`.
  void reset_marks(const std::string& service);

  /// Adds middleware around every blocking call (call, call_raw). The first wrapper added is
  /// the outermost: it sees the call first and the result last. Add wrappers before calling;
  /// calls from actors (micro/actor_api.hpp) are not wrapped.
  void wrap(call_wrapper wrapper);

  const options& opts() const noexcept;
  std::shared_ptr<registry::registry> registry() const;

  struct impl;  // defined in micro/detail/client_impl.hpp, for micro's own use
  impl& internals() { return *impl_; }

 private:
  result<raw_message> unwrapped_call(const context& parent, const std::string& service, const std::string& endpoint,
                                     const raw_message& req, const call_options& opts);
  std::unique_ptr<impl> impl_;
};

namespace detail {

/// The request as bytes: content type from the call, else the client's, else the request
/// type's codec; accept from the call, else the response type's codec.
template <class Rsp, class Req>
result<raw_message> encode_call(const options& client_opts, const call_options& opts, const Req& req,
                                const std::string& service, const std::string& endpoint) {
  raw_message in;
  in.content_type = !opts.content_type.empty()        ? opts.content_type
                    : !client_opts.content_type.empty() ? client_opts.content_type
                                                        : std::string{codecs::default_content_type<Req>()};
  in.accept = opts.accept.empty() ? std::string{codecs::default_content_type<Rsp>()} : opts.accept;
  if (auto st = codecs::encode(in.content_type, req, in.body); !st)
    return errors::bad_request("micro.client", "cannot encode request for " + service + " " + endpoint + ": " + st.message);
  return in;
}

/// The typed response of a byte-level outcome.
template <class Rsp>
result<Rsp> decode_reply(result<raw_message>&& out, const std::string& service, const std::string& endpoint) {
  if (!out)
    return out.error();
  Rsp rsp{};
  if (auto st = codecs::decode(out->content_type, out->body, rsp); !st)
    return errors::internal_server_error("micro.client", "cannot decode response of " + service + " " + endpoint + ": " + st.message);
  return rsp;
}

}  // namespace detail

template <class T>
status client::publish(const std::string& topic, const T& msg, const publish_options& opts) {
  raw_message out;
  out.content_type = !opts.content_type.empty()       ? opts.content_type
                     : !this->opts().content_type.empty() ? this->opts().content_type
                                                          : std::string{codecs::default_content_type<T>()};
  if (auto st = codecs::encode(out.content_type, msg, out.body); !st)
    return errors::bad_request("micro.client", "cannot encode publication on " + topic + ": " + st.message);
  return publish_raw(topic, out, opts);
}

template <class Req, class Rsp>
result<client_stream<Req, Rsp>> client::stream(const context& parent, const std::string& service,
                                               const std::string& endpoint, const stream_options& opts) {
  stream_options typed = opts;
  if (typed.content_type.empty())
    typed.content_type = !this->opts().content_type.empty() ? this->opts().content_type
                                                            : std::string{codecs::default_content_type<Req>()};
  if (typed.accept.empty())
    typed.accept = std::string{codecs::default_content_type<Rsp>()};
  auto raw = stream_raw(parent, service, endpoint, typed);
  if (!raw)
    return raw.error();
  return client_stream<Req, Rsp>{std::move(*raw)};
}

template <class Rsp, class Req>
result<Rsp> client::call(const context& parent, const std::string& service,
                         const std::string& endpoint, const Req& req, const call_options& opts) {
  auto in = detail::encode_call<Rsp>(this->opts(), opts, req, service, endpoint);
  if (!in)
    return in.error();
  return detail::decode_reply<Rsp>(call_raw(parent, service, endpoint, *in, opts), service, endpoint);
}

}  // namespace micro
