// Opening a client stream: preparing it like a call, and starting its endpoint actor. The
// blocking client::stream_raw is here; the actor API (micro/actor_api.cpp) shares the steps.
#include "actors/stream_endpoint.hpp"
#include "caf/all.hpp"
#include "micro/client.hpp"
#include "micro/detail/client_impl.hpp"
#include "micro/detail/stream_impl.hpp"

namespace micro {

namespace {

constexpr const char* stream_error_id = "micro.stream";

// The open goes through the same preparation as a call: codecs, metadata, candidates, strategy
// and retries of the open itself.
call_options open_options(const stream_options& opts) {
  call_options c;
  c.timeout = opts.open_timeout;
  c.content_type = opts.content_type;
  c.accept = opts.accept;
  c.metadata = opts.metadata;
  c.filters = opts.filters;
  c.addresses = opts.addresses;
  c.strategy = opts.strategy;
  c.retries = opts.retries;
  return c;
}

}  // namespace

result<detail::prepared_stream> detail::prepare_stream(client& c, const context& parent, const std::string& service,
                                                       const std::string& endpoint, const stream_options& opts) {
  using namespace std::chrono;
  // The whole stream's deadline: its own timeout, bounded by the parent's.
  nanoseconds stream_timeout{opts.timeout};
  if (parent.has_deadline())
    stream_timeout = stream_timeout.count() > 0 ? std::min(stream_timeout, parent.remaining()) : parent.remaining();
  if (parent.has_deadline() && stream_timeout.count() <= 0)
    return errors::timeout(stream_error_id, "deadline of " + parent.service() + " " + parent.endpoint()
                                              + " expired before opening a stream to " + service + " " + endpoint);
  raw_message open;
  open.content_type = !opts.content_type.empty()     ? opts.content_type
                      : !c.opts().content_type.empty() ? c.opts().content_type
                                                       : std::string{"application/octet-stream"};
  open.accept = opts.accept.empty() ? open.content_type : opts.accept;
  auto copts = open_options(opts);
  // The open itself is bounded by the request timeout (or its own), and by the stream's deadline.
  if (stream_timeout.count() > 0) {
    auto open_bound = copts.timeout.count() > 0 ? nanoseconds{copts.timeout} : nanoseconds{c.opts().request_timeout};
    copts.timeout = std::max(milliseconds{1}, duration_cast<milliseconds>(std::min(stream_timeout, open_bound)));
  }
  auto call = prepare_call(c, parent, service, endpoint, open, copts);
  if (!call)
    return call.error();
  prepared_stream out;
  out.call = std::move(*call);
  out.open_options = std::move(copts);
  out.stream_timeout_ns = stream_timeout.count();
  out.window = opts.window > 0 ? opts.window : c.opts().stream_window;
  out.ctx = context{service, endpoint, out.call.wire.metadata,
                    stream_timeout.count() > 0 ? context::clock::now() + stream_timeout : context::clock::time_point::max()};
  out.send_content_type = open.content_type;
  out.recv_content_type = open.accept;
  return out;
}

void detail::start_stream(actors::runtime& rt, prepared_stream&& prepared, std::shared_ptr<actors::stream_channel> channel,
                          caf::actor listener, uint64_t listener_stream) {
  actors::stream_open_spec spec;
  spec.client_actor = rt.client_actor();
  spec.plan = std::move(prepared.call.plan);
  spec.open = std::move(prepared.call.wire);
  spec.stream_timeout_ns = prepared.stream_timeout_ns;
  spec.listener = std::move(listener);
  spec.listener_stream = listener_stream;
  actors::spawn_client_stream(rt.system(), std::move(channel), std::move(spec));
}

std::shared_ptr<raw_stream::impl> detail::make_client_side(const prepared_stream& prepared,
                                                           std::shared_ptr<actors::stream_channel> channel) {
  auto state = std::make_shared<raw_stream::impl>();
  state->channel = std::move(channel);
  state->send_content_type = prepared.send_content_type;
  state->recv_content_type = prepared.recv_content_type;
  state->ctx = prepared.ctx;
  state->client_side = true;
  return state;
}

result<raw_stream> client::stream_raw(const context& parent, const std::string& service, const std::string& endpoint,
                                      const stream_options& opts) {
  auto prepared = detail::prepare_stream(*this, parent, service, endpoint, opts);
  if (!prepared)
    return prepared.error();
  if (prepared->call.plan.candidates.empty())
    if (auto st = detail::resolve_into(prepared->call, service, endpoint, impl_->lookup(service), prepared->open_options);
        !st)
      return st.error();
  auto channel = std::make_shared<actors::stream_channel>(prepared->window);
  auto state = detail::make_client_side(*prepared, channel);
  detail::start_stream(*impl_->rt, std::move(*prepared), channel);
  if (auto st = detail::to_status(channel->wait_open()); !st)
    return st.error();
  return raw_stream{std::move(state)};
}

}  // namespace micro
