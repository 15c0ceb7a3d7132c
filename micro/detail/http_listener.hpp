#pragma once
// A service's optional HTTP listener (MICRO_HTTP_ADDRESS): /health (live) and /ready (registered
// and serving) for Kubernetes-style probes, /metrics for Prometheus, plus whatever routes the
// service added (service::http_routes(), e.g. an embedded gateway). Off when the address is empty.

#include <atomic>
#include <memory>
#include <string>

#include "http/router.hpp"
#include "http/server.hpp"
#include "micro/result.hpp"

namespace micro::detail {

class http_listener {
 public:
  /// Listens on `address` with `routes` plus /health and /ready; 503 error if it cannot.
  status start(const std::string& address, http::router routes);
  /// What /ready answers: 200 while true, 503 otherwise.
  void set_ready(bool ready) { ready_->store(ready); }
  void stop();
  /// The bound "host:port"; empty when off.
  std::string address() const { return server_ ? server_->address() : std::string{}; }

 private:
  std::unique_ptr<http::server> server_;
  std::shared_ptr<std::atomic<bool>> ready_ = std::make_shared<std::atomic<bool>>(false);
};

}  // namespace micro::detail
