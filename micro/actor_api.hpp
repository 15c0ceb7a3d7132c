#pragma once
// The actor-native API, for code that lives in CAF actors. It includes CAF (the core headers
// do not), so only translation units that want it pay for it.
//
//  - serve an endpoint with your own actor: it receives micro::actors::request and replies
//    with micro::actors::response (helpers below decode and encode);
//  - call from inside an actor without blocking it: micro::call_async(self, client, ...);
//  - open a stream from inside an actor: micro::open_stream_async(self, client, ...); what
//    arrives comes in as micro::stream_event messages, sending never blocks.

#include <functional>
#include <string>

#include "actors/atoms.hpp"
#include "actors/direct_calls.hpp"
#include "actors/registry_watcher.hpp"
#include "actors/stream_event.hpp"
#include "actors/wire.hpp"
#include "caf/all.hpp"
#include "micro/client.hpp"
#include "micro/detail/client_impl.hpp"
#include "micro/detail/runtime_access.hpp"
#include "micro/server.hpp"
#include "micro/stream.hpp"

namespace micro {

/// Serves `info.name` with `handler`, an actor answering `actors::request` with
/// `actors::response`. It gets the time left as the request's timeout; an error reply is a 500.
void handle_with_actor(server& srv, registry::endpoint info, caf::actor handler);

/// Subscribes a user actor to `topic`: it receives each publication as an `actors::publication`
/// message (topic, content_type, metadata, body; decode with decode_publication). Handing it
/// to the actor is its delivery (counted then, and what an `ack` publisher waits for): a slow
/// actor grows its own mailbox, so it must keep up.
void subscribe_with_actor(server& srv, const std::string& topic, caf::actor subscriber, subscribe_options opts = {});

/// Decodes a publication's body for an actor subscriber.
template <class T>
result<T> decode_publication(const actors::publication& pub) {
  T value{};
  if (auto st = codecs::decode(pub.content_type, pub.body, value); !st)
    return errors::bad_request("micro.broker", "cannot decode publication on " + pub.topic + ": " + st.message);
  return value;
}

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

namespace detail {

/// Starts `call` on the client's direct path (actors/direct_calls.hpp); its response is
/// enqueued to `to` as the answer to the request `response_id` (as if a node had answered it).
void call_direct_async(actors::direct_calls& direct, prepared_call call, caf::strong_actor_ptr to,
                       caf::message_id response_id);

/// Sends a prepared call with resolved candidates; `on_result` gets the byte-level outcome
/// inside `self`. A call the direct path takes skips the client actor: `self` awaits a response
/// id of its own, which the transport's I/O thread answers. No CAF request timeout on it: the
/// direct path ends every call by its deadline (or with 503 when it goes away), and a CAF
/// timeout would cost a wake-up of CAF's clock thread per call.
template <class F>
void send_call(caf::event_based_actor* self, const call_targets& to, prepared_call call, F on_result) {
  auto on_error = [self, on_result](caf::error& err) mutable {
    on_result(result<raw_message>{
      errors::internal_server_error("micro.client", "client actor failed: " + self->system().render(err))});
  };
  auto on_response = [on_result](actors::response& rsp) mutable { on_result(to_raw_result(std::move(rsp))); };
  if (auto direct = to.direct.lock()) {
    if (direct->takes(call.plan)) {
      auto request_id = self->new_request_id(caf::message_priority::normal);
      self->add_multiplexed_response_handler(request_id.response_id(),
                                             caf::behavior{std::move(on_response), std::move(on_error)});
      call_direct_async(*direct, std::move(call), caf::actor_cast<caf::strong_actor_ptr>(self),
                        request_id.response_id());
      return;
    }
  }
  self->request(to.client_actor, call.wait, actors::call_atom::value, std::move(call.plan), std::move(call.wire))
    .then(std::move(on_response), std::move(on_error));
}

/// Fills the candidates of `call` without blocking `self`: at once when the call names its
/// addresses or the registry cache knows the service, else after an asynchronous lookup by the
/// client's registry watcher. Then `ready(prepared_call&&)` or `failed(error)` runs inside `self`.
template <class Ready, class Failed>
void resolve_async(caf::event_based_actor* self, client& c, const std::string& service, const std::string& endpoint,
                   prepared_call call, const call_options& opts, Ready ready, Failed failed) {
  if (!call.plan.candidates.empty()) {
    ready(std::move(call));
    return;
  }
  auto& internals = c.internals();
  if (auto hit = internals.cache->lookup(service)) {
    if (auto st = resolve_into(call, service, endpoint, *hit, opts); !st)
      failed(st.error());
    else
      ready(std::move(call));
    return;
  }
  auto wait = call.wait;
  self->request(internals.watcher, wait, actors::lookup_atom::value, service)
    .then(
      [service, endpoint, opts, call = std::move(call), ready = std::move(ready), failed](actors::lookup_result& found) mutable {
        if (auto st = resolve_into(call, service, endpoint, found, opts); !st)
          failed(st.error());
        else
          ready(std::move(call));
      },
      [self, service, failed](caf::error& err) mutable {
        failed(errors::service_unavailable("micro.client", "lookup of " + service + " failed: " + self->system().render(err)));
      });
}

}  // namespace detail

/// Calls without blocking `self`; `on_result(micro::result<Rsp>)` runs inside `self` later.
/// A service the client's registry cache does not know yet is looked up asynchronously too.
template <class Rsp, class Req, class F>
void call_async(caf::event_based_actor* self, client& c, const context& parent, const std::string& service,
                const std::string& endpoint, const Req& req, F on_result, const call_options& opts = {}) {
  auto in = detail::encode_call<Rsp>(c.opts(), opts, req, service, endpoint);
  if (!in) {
    on_result(result<Rsp>{in.error()});
    return;
  }
  auto call = detail::prepare_call(c, parent, service, endpoint, *in, opts);
  if (!call) {
    on_result(result<Rsp>{call.error()});
    return;
  }
  auto deliver = [on_result, service, endpoint](result<raw_message>&& out) mutable {
    on_result(detail::decode_reply<Rsp>(std::move(out), service, endpoint));
  };
  detail::resolve_async(
    self, c, service, endpoint, std::move(*call), opts,
    [self, to = detail::targets_of(c), deliver](detail::prepared_call&& ready) mutable {
      detail::send_call(self, to, std::move(ready), std::move(deliver));
    },
    [deliver](error e) mutable { deliver(std::move(e)); });
}

/// What a stream opened by open_stream_async sends to its actor, in this order: `opened` (or
/// `closed` with the error if it could not be opened), then each `message` (a request: when the
/// handler returns, the message counts as read and credit goes back to the server, so a slow
/// actor slows the server instead of growing its mailbox), `writable` after a try_send found no
/// room, and finally `closed` (code 0 = the server ended it cleanly). `stream` is the id of the
/// async_stream, to tell an actor's streams apart.
using stream_event = actors::stream_event;

/// The sending side of a stream opened from inside an actor. Nothing here blocks.
class async_stream {
 public:
  async_stream() = default;
  async_stream(std::shared_ptr<raw_stream::impl> state, uint64_t id) : state_(std::move(state)), id_(id) {}

  uint64_t id() const noexcept { return id_; }
  /// Queues one message; 429 (nothing queued) when the server has no room: retry after the
  /// next `writable` event. Once the stream ended, its status; 409 after close_send().
  status try_send(std::string body);
  /// Encodes `msg` in the stream's content type, then try_send.
  template <class T>
  status try_send_message(const T& msg) {
    std::string body;
    if (auto st = codecs::encode(send_content_type(), msg, body); !st)
      return errors::bad_request("micro.stream", "cannot encode a stream message: " + st.message);
    return try_send(std::move(body));
  }
  status close_send();
  void cancel(const std::string& why = "cancelled", int32_t code = stream_cancelled_code);
  const std::string& send_content_type() const;
  /// The content type of `message` events' bodies (decode with decode_stream_message).
  const std::string& recv_content_type() const;

 private:
  std::shared_ptr<raw_stream::impl> state_;  // dropping the last copy before the end cancels
  uint64_t id_ = 0;
};

/// Opens a stream to `endpoint` of `service` for `self` (see stream_event) without blocking it.
async_stream open_stream_async(caf::event_based_actor* self, client& c, const context& parent,
                               const std::string& service, const std::string& endpoint, const stream_options& opts = {});

/// Decodes a `message` event's body.
template <class T>
result<T> decode_stream_message(const async_stream& s, const stream_event& ev) {
  T value{};
  if (auto st = codecs::decode(s.recv_content_type(), ev.body, value); !st)
    return errors::bad_request("micro.stream", "cannot decode a stream message: " + st.message);
  return value;
}

}  // namespace micro
