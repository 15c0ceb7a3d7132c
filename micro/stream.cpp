#include "micro/stream.hpp"

#include "actors/stream_endpoint.hpp"
#include "micro/detail/stream_impl.hpp"
#include "micro/trace.hpp"

namespace micro {

namespace {

constexpr const char* stream_error_id = "micro.stream";

error invalid_stream() { return errors::bad_request(stream_error_id, "the stream is not open (moved from or default made)"); }

}  // namespace

raw_stream::impl::~impl() {
  if (client_side && channel)
    channel->cancel(actors::stream_end{stream_cancelled_code, stream_error_id, "the client dropped the stream"});
}

raw_stream::raw_stream(std::shared_ptr<impl> i) : impl_(std::move(i)) {}

raw_stream::~raw_stream() = default;

status raw_stream::send(std::string body) {
  if (!impl_)
    return invalid_stream();
  return detail::to_status(impl_->channel->send(std::move(body)));
}

bool raw_stream::recv(std::string& body) { return impl_ && impl_->channel->recv(body); }

status raw_stream::close_send() {
  if (!impl_)
    return invalid_stream();
  impl_->channel->close_send();
  return {};
}

void raw_stream::cancel(const std::string& why, int32_t code) {
  if (impl_)
    impl_->channel->cancel(actors::stream_end{code, stream_error_id, why});
}

status raw_stream::finish() {
  if (!impl_)
    return invalid_stream();
  if (!impl_->client_side)
    return final_status();
  impl_->channel->close_send();
  return detail::to_status(impl_->channel->wait_end());
}

status raw_stream::final_status() const {
  if (!impl_)
    return invalid_stream();
  return detail::to_status(impl_->channel->final_status());
}

bool raw_stream::ended() const { return !impl_ || impl_->channel->ended(); }

const std::string& raw_stream::send_content_type() const {
  static const std::string none;
  return impl_ ? impl_->send_content_type : none;
}

const std::string& raw_stream::recv_content_type() const {
  static const std::string none;
  return impl_ ? impl_->recv_content_type : none;
}

const context& raw_stream::ctx() const {
  static const context none;
  return impl_ ? impl_->ctx : none;
}

std::size_t live_streams() noexcept { return actors::live_stream_endpoints(); }

status detail::to_status(const actors::stream_end& end) {
  if (end.code == 0)
    return {};
  return make_error(end.error_id.empty() ? stream_error_id : end.error_id, end.code, end.detail);
}

actors::stream_handler detail::make_stream_runner(raw_stream_handler fn) {
  actors::stream_handler h;
  h.run = [fn = std::move(fn)](const actors::request& open, std::shared_ptr<actors::stream_channel> channel,
                               actors::clock::time_point deadline) -> actors::stream_end {
    auto state = std::make_shared<raw_stream::impl>();
    state->channel = std::move(channel);
    state->recv_content_type = open.content_type;
    state->send_content_type = open.accept.empty() ? open.content_type : open.accept;
    state->ctx = context{open.service, open.endpoint, open.metadata, deadline};
    start_span(state->ctx.metadata());  // this stream is the hop's span
    raw_stream s{std::move(state)};
    status outcome;
    try {
      outcome = fn(s);
    } catch (const error& e) {
      outcome = e;  // a handler's own coded error; other exceptions become 500 in the service actor
    }
    if (outcome)
      return {};
    return actors::stream_end{outcome.error().code, outcome.error().id, outcome.error().detail};
  };
  return h;
}

}  // namespace micro
