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

void print_json(std::ostream& out, const unary_run& run, const summary& s) {
  out << "{\"mode\":\"" << run.mode << "\",\"inflight\":" << run.inflight << ",\"payload\":" << run.payload
      << ",\"calls\":" << run.calls << ",\"failed\":" << run.failed << ",\"p50_us\":" << s.p50_us
      << ",\"p99_us\":" << s.p99_us << ",\"calls_per_s\":" << s.calls_per_s << "}" << std::endl;
}

void print_json(std::ostream& out, const stream_run& run, double elapsed_s) {
  out << "{\"mode\":\"" << run.mode << "\",\"kind\":\"" << run.kind << "\",\"payload\":" << run.payload
      << ",\"messages\":" << run.messages << ",\"received\":" << run.received
      << ",\"messages_per_s\":" << static_cast<double>(run.messages) / elapsed_s << "}" << std::endl;
}

}  // namespace bench
