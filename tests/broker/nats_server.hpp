#pragma once
// A real nats-server for tests: started on a loopback port (127.0.0.1 only), awaited until it
// says it is ready (bounded), and stopped by its PID (micro::test::process kills it in any case
// when the object goes, and PR_SET_PDEATHSIG takes it down with a crashed test binary).

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "process.hpp"

namespace micro::test {

/// The nats-server binary: $NATS_SERVER, else the first on PATH, /usr/sbin or /usr/bin (Debian
/// puts it in /usr/sbin). Empty if there is none.
std::string find_nats_server();

/// A loopback TCP port on which nothing listens right now (bound and released at once).
int unused_loopback_port();

class nats_server {
 public:
  /// Starts `nats-server -a 127.0.0.1 -p <port>`; port 0 lets the server pick a free one (-p -1)
  /// and reads it from its log. Returns once it logged "Server is ready"; throws
  /// std::runtime_error (with its output) if it is not ready within `timeout`.
  /// `extra_args` go after the address and port (TLS: --tls --tlscert F --tlskey F ...).
  explicit nats_server(int port = 0, std::chrono::milliseconds timeout = std::chrono::seconds(10),
                       std::vector<std::string> extra_args = {});
  ~nats_server();
  nats_server(const nats_server&) = delete;
  nats_server& operator=(const nats_server&) = delete;

  int port() const noexcept { return port_; }
  std::string url() const { return "nats://127.0.0.1:" + std::to_string(port_); }
  pid_t pid() const noexcept;

  /// SIGKILL and reap.
  void kill();
  /// SIGTERM; waits (bounded) for it to exit, then SIGKILL.
  void stop();
  std::string transcript();

 private:
  std::unique_ptr<process> proc_;
  int port_ = 0;
};

}  // namespace micro::test
