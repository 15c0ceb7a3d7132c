#pragma once
// micro::web::dashboard: a page that shows the whole cluster, built from the registry: services,
// versions, endpoints with their request/response types, nodes with address, metadata and
// health; live charts of calls/s, errors/s and latency percentiles per endpoint summed over every
// node of a service (each node's own charts one click away); a form that calls an endpoint with
// JSON; a topic viewer and a stream viewer (Server-Sent Events). Everything under one prefix:
//
//   GET  PREFIX/                        the page (embedded: works offline)
//   GET  PREFIX/api/services            the catalog (collector.hpp)
//   GET  PREFIX/api/stats?service=S[&node=ID]   charts (stats.hpp's view)
//   POST PREFIX/api/call                {"service","endpoint","request":{...},"timeout_ms"?}
//                                       -> {"status":200,"latency_ms","node","reply"} or a coded error
//   GET  PREFIX/api/subscribe/TOPIC     each publication as an SSE event (the gateway's)
//   POST PREFIX/api/publish/TOPIC       publishes the JSON body
//   GET  PREFIX/api/stream/SVC/Service/Method?body=JSON   each message back as an SSE event
//
// Standalone: `micro web` (listen()); inside the gateway: `micro api` mounts it under /web.

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "http/router.hpp"
#include "micro/client.hpp"
#include "micro/result.hpp"

namespace micro::web {

struct dashboard_options {
  std::string address = "127.0.0.1:8082";  // standalone listener (listen())
  std::string prefix = "/web";             // where the page and its API live
  std::chrono::milliseconds interval{1000};         // how often nodes are asked for their figures
  std::chrono::milliseconds call_timeout{10000};    // a call from the form, at most
  std::size_t max_body = 256u << 10;  // a call's or publication's JSON body; larger: 413
  std::size_t max_streams = 8;        // topic and stream viewers open at once; beyond: 503
};

class dashboard {
 public:
  /// A dashboard reading and calling through `client` (which must outlive it).
  explicit dashboard(micro::client& client, dashboard_options opts = {});
  ~dashboard();  // stop()
  dashboard(const dashboard&) = delete;
  dashboard& operator=(const dashboard&) = delete;

  /// Adds PREFIX and everything under it to `routes`.
  void mount(http::router& routes);
  /// Standalone: listens on opts.address with the dashboard, "/" redirecting to it, /health and
  /// /ready. 400 for a malformed address, 503 if it cannot listen.
  status listen();
  /// The bound "host:port" after listen().
  std::string address() const;
  /// Stops listening, the collector and the open viewers. Idempotent.
  void stop();

  struct impl;

 private:
  std::shared_ptr<impl> impl_;
};

}  // namespace micro::web
