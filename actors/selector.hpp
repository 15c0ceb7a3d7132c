#pragma once
// The selector: which node of a service gets the next attempt, learned from every outcome.
// The process has one, behind a mutex (actors/shared_selector.hpp), shared by the client actor
// and the direct path of byte-transport calls, which see each call's outcome, latency and
// connection state first hand, so choosing and marking cost no message hop. Plain C++ (no CAF),
// not thread-safe by itself.
//
// Per node (by address) it keeps: calls outstanding, an exponentially weighted latency, the
// failures in a row, and a circuit: closed (picked), open (skipped until a deadline), half-open
// (one probe call allowed; its outcome closes or re-opens the circuit with a doubled back-off).

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

namespace micro::actors {

enum class strategy : std::uint8_t { random, roundrobin, leastconn, latency };

struct selector_config {
  std::size_t failure_threshold = 5;                 // failures in a row that open a circuit
  std::chrono::milliseconds circuit_backoff{1000};   // first open period
  std::chrono::milliseconds max_circuit_backoff{30000};  // a longer circuit_backoff raises it
  double latency_weight = 0.3;                       // EWMA weight of the newest latency
};

enum class circuit : std::uint8_t { closed, open, half_open };

/// A node's marks, for diagnostics and tests.
struct node_marks {
  std::size_t outstanding = 0;
  std::size_t failures_in_row = 0;
  circuit state = circuit::closed;
  std::chrono::steady_clock::time_point open_until{};
  std::chrono::milliseconds backoff{0};
  bool probing = false;           // a half-open probe is in flight
  double latency_us = 0;          // EWMA; 0 = never measured
};

class selector {
 public:
  using clock = std::chrono::steady_clock;

  explicit selector(selector_config cfg = {});

  /// The node for the next attempt among `candidates`, preferring those not in `tried` and
  /// skipping those whose circuit is open, unless every circuit is open: then all are
  /// candidates ("panic mode", counted in panics()). nullopt only without candidates.
  std::optional<std::string> pick(const std::string& service, strategy s, const std::vector<std::string>& candidates,
                                  const std::vector<std::string>& tried, clock::time_point now, std::string& why);

  /// An attempt to `address` starts (after pick). True if it is the half-open probe: pass that
  /// back with its outcome, so that only the probe's outcome decides the circuit (a call that
  /// started before the circuit opened may end while the probe runs).
  bool started(const std::string& address);
  /// It ended well, after `latency`: the node is healthy (closes the circuit).
  void succeeded(const std::string& address, std::chrono::nanoseconds latency);
  /// It ended badly; `counts` = the failure says something about the node (not a 4xx).
  void failed(const std::string& address, bool counts, clock::time_point now, bool probe = false);
  /// It ended without saying anything about the node (e.g. a 4xx): only the bookkeeping.
  void finished(const std::string& address, bool probe = false);
  /// The node's connection is down: skip it now, probe it after the back-off.
  void down(const std::string& address, clock::time_point now);
  /// Forgets the marks of `addresses` (keeps their outstanding counts).
  void reset(const std::vector<std::string>& addresses);

  const node_marks* marks(const std::string& address) const;
  std::uint64_t panics() const { return panics_; }

 private:
  bool eligible(node_marks& m, clock::time_point now) const;
  void open(node_marks& m, clock::time_point now, bool relapse);

  selector_config cfg_;
  std::unordered_map<std::string, node_marks> nodes_;
  std::unordered_map<std::string, std::uint64_t> next_in_turn_;  // roundrobin, per service
  std::minstd_rand rng_{std::random_device{}()};
  std::uint64_t panics_ = 0;
};

}  // namespace micro::actors
