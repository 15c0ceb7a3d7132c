#include "micro/actor_api.hpp"

#include <atomic>

#include "actors/stream_endpoint.hpp"
#include "micro/detail/server_impl.hpp"
#include "micro/detail/stream_impl.hpp"

namespace micro {

void handle_with_actor(server& srv, registry::endpoint info, caf::actor handler) {
  auto& internals = srv.internals();
  std::lock_guard<std::mutex> guard{internals.mutex};
  auto name = info.name;
  internals.endpoints[name] = server::impl::entry{std::move(info), {}, std::move(handler), {}, false, {}};
}

void subscribe_with_actor(server& srv, const std::string& topic, caf::actor subscriber, subscribe_options opts) {
  srv.internals().add_subscription(
    server::impl::subscription{topic, "micro.publication", {}, std::move(subscriber), std::move(opts)});
}

void detail::call_direct_async(actors::direct_calls& direct, prepared_call call, caf::strong_actor_ptr to,
                               caf::message_id response_id) {
  direct.call(std::move(call.plan), std::move(call.wire), [to = std::move(to), response_id](actors::response rsp) {
    // What CAF does with a reply: into the caller's mailbox under the id its handler waits for
    // (dropped if the actor has quit meanwhile).
    to->enqueue(nullptr, response_id, caf::make_message(std::move(rsp)), nullptr);
  });
}

namespace {

const std::string no_content_type;

// An open that failed before reaching the client actor: the actor hears it like any other end.
void fail_open(caf::event_based_actor* self, raw_stream::impl& state, uint64_t id, const error& e) {
  state.channel->abort(actors::stream_end{e.code, e.id, e.detail});
  self->send(self, stream_event{id, stream_event::kind::closed, {}, e.code, e.id, e.detail});
}

}  // namespace

status async_stream::try_send(std::string body) {
  if (!state_)
    return errors::bad_request("micro.stream", "the stream is not open");
  return detail::to_status(state_->channel->try_send(std::move(body)));
}

status async_stream::close_send() {
  if (!state_)
    return errors::bad_request("micro.stream", "the stream is not open");
  state_->channel->close_send();
  return {};
}

void async_stream::cancel(const std::string& why, int32_t code) {
  if (state_)
    state_->channel->cancel(actors::stream_end{code, "micro.stream", why});
}

const std::string& async_stream::send_content_type() const {
  return state_ ? state_->send_content_type : no_content_type;
}

const std::string& async_stream::recv_content_type() const {
  return state_ ? state_->recv_content_type : no_content_type;
}

async_stream open_stream_async(caf::event_based_actor* self, client& c, const context& parent,
                               const std::string& service, const std::string& endpoint, const stream_options& opts) {
  static std::atomic<uint64_t> next_id{1};
  auto id = next_id++;
  auto prepared = detail::prepare_stream(c, parent, service, endpoint, opts);
  auto window = prepared ? prepared->window : 1;
  auto channel = std::make_shared<actors::stream_channel>(window);
  auto state = prepared ? detail::make_client_side(*prepared, channel) : std::make_shared<raw_stream::impl>();
  state->channel = channel;
  state->client_side = true;
  if (!prepared) {
    fail_open(self, *state, id, prepared.error());
    return async_stream{state, id};
  }
  // Until it is resolved the stream is held weakly: dropped by the actor meanwhile, it is not
  // opened at all.
  std::weak_ptr<raw_stream::impl> weak = state;
  auto call = std::move(prepared->call);
  auto resolve_opts = prepared->open_options;
  detail::resolve_async(
    self, c, service, endpoint, std::move(call), resolve_opts,
    [rt = c.internals().rt, me = caf::actor_cast<caf::actor>(self), id, weak,
     rest = std::move(*prepared)](detail::prepared_call&& ready) mutable {
      auto held = weak.lock();
      if (!held || held->channel->ended())
        return;
      rest.call = std::move(ready);
      detail::start_stream(*rt, std::move(rest), held->channel, me, id);
    },
    [self, id, weak](error e) {
      if (auto held = weak.lock())
        fail_open(self, *held, id, e);
    });
  return async_stream{state, id};
}

}  // namespace micro
