#pragma once
// micro::service: a named, versioned set of endpoints with a lifecycle.
//
//   micro::service svc{micro::options{}.with_name("greeter")};
//   svc.init(argc, argv);                       // MICRO_* env, then flags
//   svc.server().handle("Greeter.Hello", hello);
//   return svc.run();                           // register, serve, stop on SIGINT/SIGTERM
//
// Shutdown is graceful by default: deregister, refuse new calls, drain in-flight ones (bounded
// by drain_timeout), then return.

#include <memory>
#include <string>

#include "http/router.hpp"
#include "micro/client.hpp"
#include "micro/options.hpp"
#include "micro/result.hpp"
#include "micro/server.hpp"

namespace micro {

class service {
 public:
  explicit service(options opts = {});
  ~service();  // stops if still running
  service(const service&) = delete;
  service& operator=(const service&) = delete;

  /// Applies MICRO_* environment variables, then flags. On `--help` prints the options and
  /// exits 0; on a bad value prints the error and exits 2 (a service must not start half-configured).
  void init(int argc, const char* const* argv);

  micro::server& server();
  micro::client& client();
  const options& opts() const;

  /// Publishes, registers and serves without blocking.
  status start();
  /// Deregisters, drains in-flight calls (bounded), stops serving. Idempotent.
  status stop();
  /// start(), wait for SIGINT/SIGTERM (or shutdown()), stop(). Returns the process exit code.
  int run();
  /// Makes run() return, from any thread or a signal handler.
  void shutdown() noexcept;

  /// The registered "host:port" (valid after start()).
  std::string address() const;
  /// This node's id in the registry (valid after start()).
  std::string node_id() const;
  /// The metadata the node advertises (valid after start()): the options' metadata, and the
  /// transport it takes calls over when not caf (transport=tcp, transport_address=PORT).
  micro::metadata node_metadata() const;
  /// The HTTP listener's bound "host:port" (valid after start(); empty when MICRO_HTTP_ADDRESS
  /// is not set): /health (live) and /ready (registered and serving).
  std::string http_address() const;
  /// Routes the HTTP listener serves besides /health and /ready (e.g. an embedded gateway,
  /// micro/cli/README); add them before start().
  http::router& http_routes();

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace micro
