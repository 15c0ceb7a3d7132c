#include "micro/detail/http_listener.hpp"

#include "http/health.hpp"
#include "http/metrics.hpp"

namespace micro::detail {

status http_listener::start(const std::string& address, http::router routes) {
  if (address.empty() || server_)
    return {};
  ready_->store(false);
  http::add_health(routes, [ready = ready_] { return ready->load(); });
  http::add_metrics(routes);
  http::server_options opts;
  opts.address = address;
  auto [srv, err] = http::server::start(opts, routes.as_handler());
  if (!srv)
    return make_error("micro.service", err.invalid ? 400 : 503, err.message);
  server_ = std::move(srv);
  return {};
}

void http_listener::stop() {
  ready_->store(false);
  if (server_)
    server_->stop();
  server_.reset();
}

}  // namespace micro::detail
