#pragma once
// Per-endpoint figures for Debug.Stats: calls, errors and a histogram of handler time, so the
// dashboard (web/) can chart each endpoint's rate, errors and latency percentiles summed over
// every node of a service (histograms add up across nodes; percentiles do not). Recording is two
// clock reads and a few relaxed atomic adds; no lock on the call path.

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include <nlohmann/json.hpp>

#include "micro/server.hpp"

namespace micro::detail {

struct endpoint_stats {
  /// Upper bounds of the buckets in microseconds; one more bucket counts what lies above.
  static constexpr std::array<std::uint32_t, 15> bounds_us{50,    100,    250,    500,    1000,
                                                            2500,  5000,   10000,  25000,  50000,
                                                            100000, 250000, 500000, 1000000, 5000000};
  std::atomic<std::uint64_t> requests{0};
  std::atomic<std::uint64_t> errors{0};
  std::array<std::atomic<std::uint64_t>, bounds_us.size() + 1> counts{};

  void record(std::chrono::nanoseconds took, bool failed) noexcept;
  /// {"requests","errors","latency":{"bounds_us":[...],"counts":[...]}} (counts per bucket, not cumulative).
  nlohmann::json to_json() const;
};

/// The endpoints of one service; filled when the service starts, read by Debug.Stats.
class endpoint_stats_table {
 public:
  /// The figures of `endpoint` (made at first use; the pointer stays valid for the table's life).
  endpoint_stats* of(const std::string& endpoint);
  /// {"Greeter.Hello": endpoint_stats::to_json(), ...}
  nlohmann::json to_json() const;

 private:
  mutable std::mutex mutex_;
  std::map<std::string, std::unique_ptr<endpoint_stats>> endpoints_;
};

/// `next`, timed into `stats`: an error result or an exception counts as an error.
raw_handler timed(raw_handler next, endpoint_stats* stats);

}  // namespace micro::detail
