#include "micro/async_stream.hpp"

#include "actors/service_actor.hpp"
#include "actors/stream_callbacks.hpp"
#include "actors/stream_channel.hpp"
#include "micro/detail/stream_impl.hpp"
#include "micro/trace.hpp"

namespace micro {

namespace {

constexpr const char* stream_error_id = "micro.stream";

error invalid_stream() { return errors::bad_request(stream_error_id, "the stream is not open (default made)"); }

}  // namespace

// The channel carries what the server sends (try_send, finish, cancel from any thread); the
// callbacks are the same object the stream's endpoint actor calls.
struct raw_async_server_stream::impl {
  std::shared_ptr<actors::stream_channel> channel;
  std::shared_ptr<actors::stream_callbacks> callbacks = std::make_shared<actors::stream_callbacks>();
  std::string send_content_type;
  std::string recv_content_type;
  context ctx;
};

raw_async_server_stream::raw_async_server_stream(std::shared_ptr<impl> i) : impl_(std::move(i)) {}

status raw_async_server_stream::try_send(std::string body) {
  if (!impl_)
    return invalid_stream();
  return detail::to_status(impl_->channel->try_send(std::move(body)));
}

status raw_async_server_stream::finish(status final_status) {
  if (!impl_)
    return invalid_stream();
  if (impl_->channel->ended())
    return errors::conflict(stream_error_id, "the stream has ended already");
  actors::stream_end end;
  if (!final_status)
    end = actors::stream_end{final_status.error().code, final_status.error().id, final_status.error().detail};
  impl_->channel->finish_send(std::move(end));
  return {};
}

void raw_async_server_stream::cancel(const std::string& why, int32_t code) {
  if (impl_)
    impl_->channel->cancel(actors::stream_end{code, stream_error_id, why});
}

bool raw_async_server_stream::ended() const { return !impl_ || impl_->channel->ended(); }

void raw_async_server_stream::pause_reading() {
  if (impl_)
    impl_->callbacks->paused.store(true);
}

void raw_async_server_stream::resume_reading() {
  if (impl_ && impl_->callbacks->paused.exchange(false))
    impl_->channel->wake();  // the endpoint delivers what waited
}

void raw_async_server_stream::on_message(std::function<void(std::string)> f) {
  if (impl_)
    impl_->callbacks->on_message = [f = std::move(f)](std::string&& body) { f(std::move(body)); };
}

void raw_async_server_stream::on_half_close(std::function<void()> f) {
  if (impl_)
    impl_->callbacks->on_half_close = std::move(f);
}

void raw_async_server_stream::on_writable(std::function<void()> f) {
  if (impl_)
    impl_->callbacks->on_writable = std::move(f);
}

void raw_async_server_stream::on_end(std::function<void(const status&)> f) {
  if (impl_)
    impl_->callbacks->on_end = [f = std::move(f)](const actors::stream_end& end) { f(detail::to_status(end)); };
}

const std::string& raw_async_server_stream::send_content_type() const {
  static const std::string none;
  return impl_ ? impl_->send_content_type : none;
}

const std::string& raw_async_server_stream::recv_content_type() const {
  static const std::string none;
  return impl_ ? impl_->recv_content_type : none;
}

const context& raw_async_server_stream::ctx() const {
  static const context none;
  return impl_ ? impl_->ctx : none;
}

actors::stream_handler detail::make_async_stream_opener(raw_async_stream_handler fn) {
  actors::stream_handler h;
  h.open = [fn = std::move(fn)](const actors::request& open, std::shared_ptr<actors::stream_channel> channel,
                                actors::clock::time_point deadline) -> actors::stream_acceptance {
    auto state = std::make_shared<raw_async_server_stream::impl>();
    state->channel = std::move(channel);
    state->recv_content_type = open.content_type;
    state->send_content_type = open.accept.empty() ? open.content_type : open.accept;
    state->ctx = context{open.service, open.endpoint, open.metadata, deadline};
    start_span(state->ctx.metadata());  // this stream is the hop's span
    actors::stream_acceptance out;
    out.callbacks = state->callbacks;
    try {
      fn(raw_async_server_stream{state});
    } catch (const error& e) {  // a refusal with the handler's own code; others: 500 in the service actor
      out.refusal = actors::stream_end{e.code, e.id, e.detail};
      out.callbacks = nullptr;
    }
    return out;
  };
  return h;
}

}  // namespace micro
