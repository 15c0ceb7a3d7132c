#include "bench/stats.hpp"

#include <algorithm>

namespace bench {

summary summarize(std::vector<int64_t> latencies_ns, double elapsed_s) {
  summary s;
  if (latencies_ns.empty())
    return s;
  std::sort(latencies_ns.begin(), latencies_ns.end());
  auto at = [&](double q) {
    auto i = static_cast<std::size_t>(q * static_cast<double>(latencies_ns.size() - 1));
    return static_cast<double>(latencies_ns[i]) / 1000.0;
  };
  s.p50_us = at(0.50);
  s.p99_us = at(0.99);
  s.calls_per_s = static_cast<double>(latencies_ns.size()) / elapsed_s;
  return s;
}

}  // namespace bench
