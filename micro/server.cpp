#include "micro/server.hpp"

#include "micro/detail/server_impl.hpp"

namespace micro {

namespace {
constexpr const char* server_error_id = "micro.server";
}  // namespace

raw_handler wrap_handler(raw_handler handler, const std::vector<handler_wrapper>& wrappers) {
  // Innermost first: the last wrapper added gets the handler itself, the first gets the rest.
  for (auto i = wrappers.size(); i-- > 0;) {
    auto next = wrappers[i](std::move(handler));
    if (!next) {
      auto detail = "handler wrapper #" + std::to_string(i + 1) + " returned no handler";
      next = [detail](const context&, const raw_message&) -> result<raw_message> {
        return errors::internal_server_error(server_error_id, detail);
      };
    }
    handler = std::move(next);
  }
  return handler;
}

server::server() : impl_(std::make_unique<impl>()) {}
server::~server() = default;

void server::handle_raw(registry::endpoint info, raw_handler handler, endpoint_options opts) {
  if (opts.idempotent)
    info.meta[idempotent_key] = "true";
  std::lock_guard<std::mutex> guard{impl_->mutex};
  auto name = info.name;
  impl_->endpoints[name] = impl::entry{std::move(info), std::move(handler), {}, {}, opts.run_inline, {}};
}

namespace {

// What every stream endpoint needs before it is kept: a handler, the registry's stream flag, and
// a server that has not started.
void check_stream_endpoint(const server::impl& d, registry::endpoint& info, bool has_handler) {
  if (!has_handler)
    throw errors::bad_request(server_error_id, "stream endpoint " + info.name + " needs a handler");
  info.meta[stream_endpoint_key] = "true";
  if (d.started)
    throw errors::conflict(server_error_id, "cannot add stream endpoint " + info.name + " after the service started");
}

}  // namespace

void server::handle_stream_raw(registry::endpoint info, raw_stream_handler handler) {
  std::lock_guard<std::mutex> guard{impl_->mutex};
  check_stream_endpoint(*impl_, info, static_cast<bool>(handler));
  auto name = info.name;
  impl_->endpoints[name] = impl::entry{std::move(info), {}, {}, std::move(handler), false, {}};
}

void server::handle_stream_async_raw(registry::endpoint info, raw_async_stream_handler handler) {
  std::lock_guard<std::mutex> guard{impl_->mutex};
  check_stream_endpoint(*impl_, info, static_cast<bool>(handler));
  auto name = info.name;
  impl_->endpoints[name] = impl::entry{std::move(info), {}, {}, {}, false, std::move(handler)};
}

void server::wrap(handler_wrapper wrapper) {
  if (!wrapper)
    throw errors::bad_request(server_error_id, "server::wrap: the wrapper is empty");
  std::lock_guard<std::mutex> guard{impl_->mutex};
  if (impl_->started)
    throw errors::conflict(server_error_id,
                           "server::wrap: the service has already started; add handler wrappers before start()/run()");
  impl_->wrappers.push_back(std::move(wrapper));
}

void server::impl::add_subscription(subscription sub) {
  const auto& topic = sub.topic;
  if (topic.empty())
    throw errors::bad_request("micro.server", "cannot subscribe to an empty topic");
  if (!sub.fn && !sub.actor)
    throw errors::bad_request("micro.server", "cannot subscribe to " + topic + " without a handler or actor");
  if (sub.opts.window == 0)
    throw errors::bad_request("micro.server", "the window of a subscription to " + topic + " must be at least 1");
  if (sub.opts.queue.find(',') != std::string::npos || sub.opts.queue == "*")
    throw errors::bad_request("micro.server", "queue group \"" + sub.opts.queue + "\" of " + topic
                                                + ": a name may not contain ',' nor be \"*\"");
  std::lock_guard<std::mutex> guard{mutex};
  if (started)
    throw errors::conflict("micro.server", "cannot subscribe to " + topic + " after the service started");
  subscriptions.push_back(std::move(sub));
}

void server::subscribe_raw(const std::string& topic, std::string message_type, raw_subscriber handler,
                           subscribe_options opts) {
  impl_->add_subscription(impl::subscription{topic, std::move(message_type), std::move(handler), {}, std::move(opts)});
}

std::vector<registry::endpoint> server::endpoints() const {
  std::lock_guard<std::mutex> guard{impl_->mutex};
  std::vector<registry::endpoint> out;
  for (auto& kv : impl_->endpoints)
    out.push_back(kv.second.info);
  return out;
}

}  // namespace micro
