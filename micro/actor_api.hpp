#pragma once
// The actor-native API, for code that lives in CAF actors. It includes CAF (the core headers
// do not), so only translation units that want it pay for it.
//
//  - serve an endpoint with your own actor: it receives micro::actors::request and replies
//    with micro::actors::response (helpers below decode and encode);
//  - call from inside an actor without blocking it: micro::call_async(self, client, ...).

#include <functional>
#include <string>

#include "actors/atoms.hpp"
#include "actors/wire.hpp"
#include "caf/all.hpp"
#include "micro/client.hpp"
#include "micro/detail/client_impl.hpp"
#include "micro/detail/runtime_access.hpp"
#include "micro/server.hpp"

namespace micro {

/// Serves `info.name` with `handler`, an actor answering `actors::request` with
/// `actors::response`. It gets the time left as the request's timeout; an error reply is a 500.
void handle_with_actor(server& srv, registry::endpoint info, caf::actor handler);

/// Decodes a request body for an actor handler.
template <class T>
result<T> decode_request(const actors::request& req) {
  T value{};
  if (auto st = codecs::decode(req.content_type, req.body, value); !st)
    return errors::bad_request("micro.server", "cannot decode request for " + req.endpoint + ": " + st.message);
  return value;
}

/// Encodes an actor handler's reply in the content type the caller accepts.
template <class T>
actors::response make_response(const actors::request& req, const T& value) {
  actors::response rsp;
  rsp.content_type = req.accept.empty() ? req.content_type : req.accept;
  if (auto st = codecs::encode(rsp.content_type, value, rsp.body); !st)
    return actors::make_error_response(400, "micro.server", "cannot encode response: " + st.message);
  return rsp;
}

/// Calls without blocking `self`; `on_result(micro::result<Rsp>)` runs inside `self` later.
template <class Rsp, class Req, class F>
void call_async(caf::event_based_actor* self, client& c, const context& parent, const std::string& service,
                const std::string& endpoint, const Req& req, F on_result, const call_options& opts = {}) {
  raw_message in;
  in.content_type = opts.content_type.empty() ? std::string{codecs::default_content_type<Req>()} : opts.content_type;
  in.accept = opts.accept.empty() ? std::string{codecs::default_content_type<Rsp>()} : opts.accept;
  if (auto st = codecs::encode(in.content_type, req, in.body); !st) {
    on_result(result<Rsp>{errors::bad_request("micro.client", "cannot encode request: " + st.message)});
    return;
  }
  auto call = detail::prepare_call(c, parent, service, endpoint, in, opts);
  if (!call) {
    on_result(result<Rsp>{call.error()});
    return;
  }
  auto client_actor = c.internals().rt->client_actor();
  self->request(client_actor, call->wait, actors::call_atom::value, std::move(call->candidates), std::move(call->wire))
    .then(
      [on_result](actors::response& rsp) mutable {
        auto raw = detail::to_raw_result(std::move(rsp));
        if (!raw) {
          on_result(result<Rsp>{raw.error()});
          return;
        }
        Rsp out{};
        if (auto st = codecs::decode(raw->content_type, raw->body, out); !st) {
          on_result(result<Rsp>{errors::internal_server_error("micro.client", "cannot decode response: " + st.message)});
          return;
        }
        on_result(result<Rsp>{std::move(out)});
      },
      [self, on_result](caf::error& err) mutable {
        on_result(result<Rsp>{errors::internal_server_error("micro.client", "client actor failed: " + self->system().render(err))});
      });
}

}  // namespace micro
