// client::stream_raw: opening a stream (the typed client::stream is a template over it).
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

result<raw_stream> client::stream_raw(const context& parent, const std::string& service, const std::string& endpoint,
                                      const stream_options& opts) {
  using namespace std::chrono;
  // The whole stream's deadline: its own timeout, bounded by the parent's.
  nanoseconds stream_timeout{opts.timeout};
  if (parent.has_deadline())
    stream_timeout = stream_timeout.count() > 0 ? std::min(stream_timeout, parent.remaining()) : parent.remaining();
  if (parent.has_deadline() && stream_timeout.count() <= 0)
    return errors::timeout(stream_error_id, "deadline of " + parent.service() + " " + parent.endpoint()
                                              + " expired before opening a stream to " + service + " " + endpoint);
  raw_message open;
  open.content_type = !opts.content_type.empty()         ? opts.content_type
                      : !impl_->opts.content_type.empty() ? impl_->opts.content_type
                                                          : std::string{"application/octet-stream"};
  open.accept = opts.accept.empty() ? open.content_type : opts.accept;
  auto copts = open_options(opts);
  if (stream_timeout.count() > 0)
    copts.timeout = duration_cast<milliseconds>(std::min<nanoseconds>(
      stream_timeout, copts.timeout.count() > 0 ? nanoseconds{copts.timeout} : nanoseconds{impl_->opts.request_timeout}));
  if (copts.timeout.count() == 0 && stream_timeout.count() > 0)
    copts.timeout = milliseconds{1};  // under a millisecond left: the open fails with 408 at once
  auto call = detail::prepare_call(*this, parent, service, endpoint, open, copts);
  if (!call)
    return call.error();
  if (call->plan.candidates.empty())
    if (auto st = detail::resolve_into(*call, service, endpoint, impl_->lookup(service), copts); !st)
      return st.error();
  auto window = opts.window > 0 ? opts.window : impl_->opts.stream_window;
  auto channel = std::make_shared<actors::stream_channel>(window);
  actors::stream_open_spec spec;
  spec.client_actor = impl_->rt->client_actor();
  spec.plan = std::move(call->plan);
  spec.stream_timeout_ns = stream_timeout.count();
  auto ctx = context{service, endpoint, call->wire.metadata,
                     stream_timeout.count() > 0 ? context::clock::now() + stream_timeout : context::clock::time_point::max()};
  spec.open = std::move(call->wire);
  actors::spawn_client_stream(impl_->rt->system(), channel, std::move(spec));
  if (auto st = detail::to_status(channel->wait_open()); !st)
    return st.error();
  auto state = std::make_shared<raw_stream::impl>();
  state->channel = std::move(channel);
  state->send_content_type = open.content_type;
  state->recv_content_type = open.accept;
  state->ctx = std::move(ctx);
  state->client_side = true;
  return raw_stream{std::move(state)};
}

}  // namespace micro
