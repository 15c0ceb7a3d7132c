#pragma once
// The process-wide actor system. Every service and client of a process shares one, so a
// process is one CAF node with one middleman: one TCP connection per pair of processes.

#include <chrono>
#include <memory>
#include <mutex>
#include <string>

#include "actors/basp_guard.hpp"
#include "actors/broker_actor.hpp"
#include "actors/selector.hpp"
#include "transport/transport.hpp"
#include "caf/actor.hpp"
#include "caf/fwd.hpp"

namespace micro::actors {

class direct_calls;

/// What the facade decides about CAF; plain values so micro/ headers stay free of CAF.
struct runtime_config {
  std::string scheduler_policy = "sharing";  // "sharing" | "stealing" (measured: see README)
  std::size_t scheduler_threads = 0;  // 0 = half the cores, at least 1
  std::chrono::milliseconds heartbeat_interval{1000};  // must be on for every node
  std::chrono::milliseconds connection_timeout{5000};  // 0 disables frozen-peer detection
  selector_config selector;  // of the process's selector (client actor and direct path)
  guard_limits guard;  // every BASP connection of the process (actors/basp_guard.hpp)
  broker_config broker;  // the process's broker actor (actors/broker_actor.hpp)
  transport::transport_options byte_transports;  // limits and TLS of the tcp/memory transports
};

class runtime {
 public:
  /// Returns the running runtime, or starts one with `cfg` if none is running. A second
  /// caller with a different config gets the running one (first configuration wins).
  static std::shared_ptr<runtime> acquire(const runtime_config& cfg = {});

  explicit runtime(const runtime_config& cfg);
  ~runtime();
  runtime(const runtime&) = delete;
  runtime& operator=(const runtime&) = delete;

  caf::actor_system& system() noexcept;
  const runtime_config& config() const noexcept { return config_; }

  /// The process's client actor (spawned on first use).
  caf::actor client_actor();
  /// The direct path of calls to nodes over a byte transport (made on first use), which shares
  /// the client actor's selector.
  std::shared_ptr<direct_calls> direct();
  /// The process's broker actor (spawned on first use).
  caf::actor broker_actor();

 private:
  struct impl;
  runtime_config config_;
  std::unique_ptr<impl> impl_;
};

}  // namespace micro::actors
