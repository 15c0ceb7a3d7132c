#pragma once
// micro::server: the endpoints of a service. Handlers are plain functions
//   void(const micro::context&, const Req&, Rsp&)
// run on a worker thread (never on an actor), decoded and encoded by the request's content type.
// A handler signals failure by throwing a micro::error (kept as is) or any std::exception (500).
//
// Handler wrappers (middleware, go-micro's server.WrapHandler) go around every user endpoint:
//   srv.wrap([](micro::raw_handler next) -> micro::raw_handler {
//     return [next](const micro::context& ctx, const micro::raw_message& in) -> micro::result<micro::raw_message> {
//       if (!ctx.get("authorization")) return micro::errors::unauthorized("auth", "no authorization");
//       return next(ctx, in);
//     };
//   });
// Order: the FIRST wrapper added is the OUTERMOST. With wrap(a) then wrap(b), a call runs
// a -> b -> handler on the way in and handler -> b -> a on the way out.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "codecs/codec.hpp"
#include "codecs/type_name.hpp"
#include "micro/detail/handler_traits.hpp"
#include "micro/error.hpp"
#include "micro/message.hpp"
#include "micro/pubsub.hpp"
#include "micro/result.hpp"
#include "micro/selector.hpp"
#include "micro/async_stream.hpp"
#include "micro/stream.hpp"
#include "registry/model.hpp"

namespace micro {

/// A handler at the byte level: gets the request body, returns the response body.
using raw_handler = std::function<result<raw_message>(const context&, const raw_message&)>;

/// Middleware: gets the next handler (the next wrapper, or the endpoint's own handler) and
/// returns the handler that runs instead. The handler it returns sees the context (endpoint,
/// metadata, deadline) and the raw request; it may answer itself without calling `next` (e.g. a
/// 401), change the request (pass a copy of the context or message on) or the response `next`
/// returns (body, response metadata), and sees what inner handlers throw (a micro::error or any
/// exception propagates through it unless it catches; uncaught, it becomes the answer as for a
/// plain handler). It runs on the handler's worker thread. Built once per endpoint at start.
using handler_wrapper = std::function<raw_handler(raw_handler next)>;

/// `handler` inside `wrappers`, wrappers.front() outermost. A wrapper that returns an empty
/// handler makes the endpoint answer 500 naming it (rather than throwing bad_function_call).
raw_handler wrap_handler(raw_handler handler, const std::vector<handler_wrapper>& wrappers);

/// How an endpoint is advertised beyond its name and types.
struct endpoint_options {
  /// Running the handler twice for one call is harmless (a read, or a write that sets rather
  /// than adds). Advertised as endpoint metadata {idempotent_key, "true"}; a client may then
  /// retry a call whose node died after the request was delivered (see micro/selector.hpp).
  bool idempotent = false;

  /// The handler never blocks (no I/O, no sleeps, no nested blocking calls): it runs on the
  /// service actor itself instead of a worker thread, which saves a thread hand-off per call
  /// (measured in bench/: see docs/benchmarks.md). A blocking inline handler stalls every call
  /// and stream of the process, so this is for small, CPU-only handlers.
  bool run_inline = false;

  endpoint_options& with_idempotent(bool v = true) {
    idempotent = v;
    return *this;
  }
  endpoint_options& with_inline(bool v = true) {
    run_inline = v;
    return *this;
  }
};

class server {
 public:
  server();
  ~server();
  server(const server&) = delete;
  server& operator=(const server&) = delete;

  /// Serves `endpoint` ("Greeter.Hello") with a typed handler.
  template <class F>
  void handle(const std::string& endpoint, F handler, endpoint_options opts = {});

  /// Serves `endpoint` at the byte level; `info` is what the registry advertises (`opts` adds
  /// to info.meta; metadata already in info.meta is kept).
  void handle_raw(registry::endpoint info, raw_handler handler, endpoint_options opts = {});

  /// Adds a wrapper around the handler of every endpoint served by a function (handle,
  /// handle_raw), whenever it was added; the first wrapper added is the outermost (see above).
  /// Not wrapped: the built-in Debug.Health and Debug.Stats (a health check must not depend on
  /// auth or logging middleware: a wrapper that rejects or fails would make a live node look
  /// dead), and endpoints served by a user actor (handle_with_actor: the actor gets the wire
  /// request itself; do its checks there).
  /// Wrappers are applied when the service starts: calling wrap() once a service has started
  /// with this server (even if stopped since) throws micro::error 409, and an empty wrapper
  /// throws micro::error 400.
  void wrap(handler_wrapper wrapper);

  /// Serves a stream endpoint (micro/stream.hpp) with a typed handler
  /// `void(const context&, server_stream<Req, Rsp>&)` (or returning micro::status). It runs on a
  /// thread of its own for the stream's life (at most MICRO_SERVER_MAX_STREAMS at once; beyond
  /// that an open gets 503). Advertised with endpoint metadata {"stream", "true"}. Handler
  /// wrappers (wrap) do not apply to streams.
  template <class F>
  void handle_stream(const std::string& endpoint, F handler);

  /// Serves a stream endpoint at the byte level; `info` is what the registry advertises.
  void handle_stream_raw(registry::endpoint info, raw_stream_handler handler);

  /// Serves a stream endpoint without a thread per stream (micro/async_stream.hpp): the handler
  /// `void(const context&, async_server_stream<Req, Rsp>)` runs when a stream opens, sets
  /// callbacks and returns; they run on the stream's actor and must not block. Clients see no
  /// difference from handle_stream. At most MICRO_SERVER_MAX_STREAMS open at once (then 503).
  template <class F>
  void handle_stream_async(const std::string& endpoint, F handler);

  /// The same at the byte level.
  void handle_stream_async_raw(registry::endpoint info, raw_async_stream_handler handler);

  /// Subscribes a typed handler `void(const context&, const T&)` to `topic` (see
  /// micro/pubsub.hpp). Takes effect when the service starts; advertised with its endpoints.
  template <class F>
  void subscribe(const std::string& topic, F handler, subscribe_options opts = {});

  /// Subscribes at the byte level; `message_type` is what the registry advertises.
  /// Throws micro::error 400 for an empty topic, 409 once the service has started.
  void subscribe_raw(const std::string& topic, std::string message_type, raw_subscriber handler,
                     subscribe_options opts = {});

  /// The endpoints advertised in the registry, in name order.
  std::vector<registry::endpoint> endpoints() const;

  struct impl;
  impl& internals() { return *impl_; }

 private:
  std::unique_ptr<impl> impl_;
};

/// Decodes, runs and encodes: the bridge from a typed handler to a raw one.
template <class Req, class Rsp, class F>
raw_handler make_raw_handler(F handler) {
  return [handler = std::move(handler)](const context& ctx, const raw_message& in) -> result<raw_message> {
    Req req{};
    if (auto st = codecs::decode(in.content_type, in.body, req); !st)
      return errors::bad_request("micro.server", "cannot decode request for " + ctx.endpoint() + ": " + st.message);
    Rsp rsp{};
    handler(ctx, req, rsp);  // exceptions are turned into errors by the service actor's worker
    raw_message out;
    out.content_type = in.accept.empty() ? in.content_type : in.accept;
    if (auto st = codecs::encode(out.content_type, rsp, out.body); !st)
      return errors::bad_request("micro.server", "cannot encode response of " + ctx.endpoint() + ": " + st.message);
    return out;
  };
}

namespace detail {

/// What the registry advertises for an endpoint taking Req and answering Rsp.
template <class Req, class Rsp>
registry::endpoint typed_endpoint(const std::string& name) {
  registry::endpoint info;
  info.name = name;
  info.request = codecs::type_name<Req>();
  info.response = codecs::type_name<Rsp>();
  return info;
}

}  // namespace detail

template <class F>
void server::handle(const std::string& endpoint, F handler, endpoint_options opts) {
  using traits = detail::handler_traits<F>;
  using Req = typename traits::request;
  using Rsp = typename traits::response;
  handle_raw(detail::typed_endpoint<Req, Rsp>(endpoint), make_raw_handler<Req, Rsp>(std::move(handler)), opts);
}

template <class F>
void server::handle_stream(const std::string& endpoint, F handler) {
  using traits = detail::stream_handler_traits<F>;
  using Req = typename traits::request;
  using Rsp = typename traits::response;
  handle_stream_raw(detail::typed_endpoint<Req, Rsp>(endpoint), [handler = std::move(handler)](raw_stream& raw) -> status {
    server_stream<Req, Rsp> s{std::move(raw)};
    if constexpr (std::is_void_v<decltype(handler(s.ctx(), s))>) {
      handler(s.ctx(), s);
      return {};
    } else {
      return handler(s.ctx(), s);
    }
  });
}

template <class F>
void server::handle_stream_async(const std::string& endpoint, F handler) {
  using traits = detail::async_stream_handler_traits<F>;
  using Req = typename traits::request;
  using Rsp = typename traits::response;
  handle_stream_async_raw(detail::typed_endpoint<Req, Rsp>(endpoint),
                          [handler = std::move(handler)](raw_async_server_stream raw) {
                            async_server_stream<Req, Rsp> s{std::move(raw)};
                            handler(s.ctx(), s);
                          });
}

template <class F>
void server::subscribe(const std::string& topic, F handler, subscribe_options opts) {
  using T = typename detail::subscriber_traits<F>::message;
  subscribe_raw(topic, codecs::type_name<T>(), make_raw_subscriber<T>(std::move(handler)), std::move(opts));
}

}  // namespace micro
