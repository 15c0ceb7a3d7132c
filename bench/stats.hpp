#pragma once
// Latency samples -> percentiles.

#include <cstdint>
#include <vector>

namespace bench {

struct summary {
  double p50_us = 0;
  double p99_us = 0;
  double calls_per_s = 0;
};

summary summarize(std::vector<int64_t> latencies_ns, double elapsed_s);

}  // namespace bench
