#pragma once
// What `micro bench` counts while it runs (thread-safe: every caller thread records into one
// tally), and the summary it prints at the end.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "micro/error.hpp"

namespace micro::cli {

/// Calls counted over a stretch of the run: for progress lines and for the summary.
struct bench_counts {
  std::size_t calls = 0;
  std::size_t failed = 0;
  std::map<std::string, std::size_t> by_node;  // successful calls by answering node id
  std::map<int32_t, std::size_t> by_code;      // failed calls by error code
};

struct bench_latency {  // milliseconds, of the calls that succeeded
  double p50 = 0, p90 = 0, p99 = 0, max = 0;
};

struct bench_summary {
  double seconds = 0;  // from the first call's start to the last call's end
  bench_counts counts;
  std::optional<bench_latency> latency;      // none when no call succeeded
  std::map<int32_t, micro::error> first_error;  // the first error seen of each code
  double calls_per_second() const { return seconds > 0 ? static_cast<double>(counts.calls) / seconds : 0; }
};

class bench_tally {
 public:
  void record_ok(std::chrono::nanoseconds latency, const std::string& node);
  void record_error(const micro::error& err);

  /// The counts since the previous call (or the start), and starts a new stretch.
  bench_counts take_interval();

  /// Everything recorded, over `elapsed`.
  bench_summary summarize(std::chrono::nanoseconds elapsed) const;

 private:
  mutable std::mutex mutex_;
  bench_counts total_;
  bench_counts interval_;
  std::vector<std::chrono::nanoseconds> latencies_;
  std::map<int32_t, micro::error> first_error_;
};

/// The nearest-rank percentile `p` (0 < p <= 1) of `sorted` (ascending, not empty), in ms.
double percentile_ms(const std::vector<std::chrono::nanoseconds>& sorted, double p);

}  // namespace micro::cli
