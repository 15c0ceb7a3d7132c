#pragma once
// The dashboard's figures: what each node's Debug.Stats says, turned into rates and latency
// percentiles per endpoint, per node and summed over every node of a service. Rates come from
// the difference between two rounds; percentiles from the difference of the nodes' latency
// histograms added up (percentiles of several nodes cannot be averaged, histograms can be added).
// Plain C++ and JSON: no CAF, no client; the collector feeds it.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace micro::web {

/// Calls, errors and handler time of one endpoint (or a sum of them), counted since start.
struct call_figures {
  std::uint64_t requests = 0;
  std::uint64_t errors = 0;
  std::vector<double> bounds_us;      // upper bounds of the latency buckets
  std::vector<std::uint64_t> counts;  // per bucket (one more than bounds: above the last)

  /// Adds `o` (histograms with other bounds are left out: only equal bounds add up).
  void add(const call_figures& o);
  /// `this - before`, or `this` when a counter went back (the node restarted).
  call_figures since(const call_figures& before) const;
  /// The q-quantile (0..1) in milliseconds, linear within its bucket; negative without calls.
  double quantile_ms(double q) const;
};

/// One node's Debug.Stats, reduced to what the charts need.
struct node_figures {
  std::uint64_t in_flight = 0;
  std::uint64_t memory = 0;
  std::int64_t uptime = 0;
  call_figures all;  // the node's user endpoints together (every call when it has no "endpoints")
  std::map<std::string, call_figures> endpoints;
};

/// Reads a Debug.Stats answer; missing or odd fields count as zero (older nodes say less).
node_figures parse_debug_stats(const nlohmann::json& stats);

/// One point of a chart: calls/s, errors/s, p50/p90/p99 in ms (negative: no calls), in flight.
struct point {
  double t = 0;
  double rate = 0;
  double errors = 0;
  double p50 = -1, p90 = -1, p99 = -1;
  double in_flight = 0;
};

class stats_book {
 public:
  /// Keeps `history` points per chart (at one round a second: two minutes by default).
  explicit stats_book(std::size_t history = 120) : history_(history) {}

  /// One round of `service` at time `t` (seconds): the figures of each node that answered.
  /// Nodes of the service not in `nodes` are forgotten (gone from the registry or silent).
  void record(const std::string& service, double t, const std::vector<std::pair<std::string, node_figures>>& nodes);
  /// Forgets the services not in `live`.
  void retain(const std::set<std::string>& live);

  /// The charts of `service` summed over its nodes (`node` empty) or of one node:
  /// {"service","node","endpoints":{"*":[[t,rate,errors,p50,p90,p99,in_flight],...],"Greeter.Hello":[...]},
  ///  "nodes":[{"id","rate","errors","p50","p99","in_flight","memory","uptime"}]}; null if unknown.
  nlohmann::json view(const std::string& service, const std::string& node = {}) const;

 private:
  struct node_state {
    double t = 0;
    node_figures last;
    std::map<std::string, std::deque<point>> charts;  // "*" and each endpoint
  };
  struct service_state {
    std::map<std::string, node_state> nodes;
    std::map<std::string, std::deque<point>> charts;  // summed over the nodes
  };
  void push(std::deque<point>& chart, const point& p) const;

  const std::size_t history_;
  mutable std::mutex mutex_;
  std::map<std::string, service_state> services_;
};

}  // namespace micro::web
