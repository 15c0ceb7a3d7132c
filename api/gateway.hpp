#pragma once
// micro::api::gateway: HTTP/JSON in front of every service the client's registry knows, as
// go-micro's `micro api` does.
//
//   POST /greeter/Greeter/Hello  {"name":"John"}   -> the call with the JSON codec -> its JSON reply
//   POST /greeter/hello          (short form: the endpoint whose method is "hello", if only one)
//   POST /publish/TOPIC          {"id":"1"}       -> client.publish, 200 {} once subscribers took it
//   Accept: text/event-stream                       -> opens a stream instead, each message an SSE event
//   GET /subscribe/TOPIC[?queue=GROUP]              -> each publication on TOPIC as an SSE event
//
// Errors keep go-micro's JSON ({"id","code","detail","status"}) and their code as HTTP status
// (400, 404, 408, 500, 503, ...). Micro-* headers and traceparent become metadata; Micro-Timeout
// (or Timeout, seconds) the deadline. Calls run on the gateway's own threads, never on HTTP's.
// Standalone: `micro api` (micro/cli/api.cpp); embedded: gateway.mount(svc.http_routes()).

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "http/router.hpp"
#include "micro/client.hpp"
#include "micro/result.hpp"

namespace micro::api {

struct gateway_options {
  std::string address = "127.0.0.1:8080";      // standalone listener (listen())
  std::chrono::milliseconds default_timeout{5000};  // a call's deadline without a header
  std::chrono::milliseconds max_timeout{60000};     // what a header may ask for at most
  std::size_t max_body = 1u << 20;     // request bodies over this: 413
  std::size_t max_concurrency = 256;   // calls queued or running at once; beyond: 503
  std::size_t workers = 64;            // threads making calls
  std::size_t max_streams = 64;        // event streams at once (a thread each); beyond: 503
  std::vector<std::string> cors_origins;  // origins allowed to call from a browser; "*": any; empty: no CORS
  std::string subscribe_address = "127.0.0.1:0";  // where a subscription's own service listens
};

class gateway {
 public:
  /// A gateway calling through `client` (which must outlive it).
  explicit gateway(micro::client& client, gateway_options opts = {});
  ~gateway();  // stop()
  gateway(const gateway&) = delete;
  gateway& operator=(const gateway&) = delete;

  /// Adds the gateway to `routes` under "/" (a service's own routes, /health and /ready, keep
  /// precedence as exact paths).
  void mount(http::router& routes);
  /// The gateway as one HTTP handler.
  http::handler handler();

  /// Standalone: listens on opts.address with the gateway, /health and /ready (ready once the
  /// client's registry is configured), and `routes` (e.g. the dashboard under /web: an exact
  /// path or a prefix longer than the gateway's "/" wins). 503 if it cannot listen.
  status listen(http::router routes = {});
  /// The bound "host:port" after listen().
  std::string address() const;
  /// Stops listening and waits for the calls in flight. Idempotent.
  void stop();

  struct impl;

 private:
  std::shared_ptr<impl> impl_;
};

}  // namespace micro::api
