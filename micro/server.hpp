#pragma once
// micro::server: the endpoints of a service. Handlers are plain functions
//   void(const micro::context&, const Req&, Rsp&)
// run on a worker thread (never on an actor), decoded and encoded by the request's content type.
// A handler signals failure by throwing a micro::error (kept as is) or any std::exception (500).

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "codecs/codec.hpp"
#include "codecs/type_name.hpp"
#include "micro/detail/handler_traits.hpp"
#include "micro/error.hpp"
#include "micro/message.hpp"
#include "micro/result.hpp"
#include "registry/model.hpp"

namespace micro {

/// A handler at the byte level: gets the request body, returns the response body.
using raw_handler = std::function<result<raw_message>(const context&, const raw_message&)>;

class server {
 public:
  server();
  ~server();
  server(const server&) = delete;
  server& operator=(const server&) = delete;

  /// Serves `endpoint` ("Greeter.Hello") with a typed handler.
  template <class F>
  void handle(const std::string& endpoint, F handler);

  /// Serves `endpoint` at the byte level; `info` is what the registry advertises.
  void handle_raw(registry::endpoint info, raw_handler handler);

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

template <class F>
void server::handle(const std::string& endpoint, F handler) {
  using traits = detail::handler_traits<F>;
  using Req = typename traits::request;
  using Rsp = typename traits::response;
  registry::endpoint info;
  info.name = endpoint;
  info.request = codecs::type_name<Req>();
  info.response = codecs::type_name<Rsp>();
  handle_raw(std::move(info), make_raw_handler<Req, Rsp>(std::move(handler)));
}

}  // namespace micro
