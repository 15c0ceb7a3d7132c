#include "micro/cli/bench_tally.hpp"

#include <algorithm>
#include <cmath>
#include <utility>

namespace micro::cli {

namespace {

double to_ms(std::chrono::nanoseconds d) { return std::chrono::duration<double, std::milli>(d).count(); }

}  // namespace

void bench_tally::record_ok(std::chrono::nanoseconds latency, const std::string& node) {
  std::lock_guard<std::mutex> guard{mutex_};
  for (auto* c : {&total_, &interval_}) {
    ++c->calls;
    ++c->by_node[node];
  }
  latencies_.push_back(latency);
}

void bench_tally::record_error(const micro::error& err) {
  std::lock_guard<std::mutex> guard{mutex_};
  for (auto* c : {&total_, &interval_}) {
    ++c->calls;
    ++c->failed;
    ++c->by_code[err.code];
  }
  first_error_.emplace(err.code, err);
}

bench_counts bench_tally::take_interval() {
  std::lock_guard<std::mutex> guard{mutex_};
  return std::exchange(interval_, bench_counts{});
}

bench_summary bench_tally::summarize(std::chrono::nanoseconds elapsed) const {
  std::vector<std::chrono::nanoseconds> sorted;
  bench_summary out;
  {
    std::lock_guard<std::mutex> guard{mutex_};
    sorted = latencies_;
    out.counts = total_;
    out.first_error = first_error_;
  }
  out.seconds = std::chrono::duration<double>(elapsed).count();
  if (!sorted.empty()) {
    std::sort(sorted.begin(), sorted.end());
    out.latency = bench_latency{percentile_ms(sorted, 0.50), percentile_ms(sorted, 0.90),
                                percentile_ms(sorted, 0.99), to_ms(sorted.back())};
  }
  return out;
}

double percentile_ms(const std::vector<std::chrono::nanoseconds>& sorted, double p) {
  auto rank = static_cast<std::size_t>(std::ceil(p * static_cast<double>(sorted.size())));
  return to_ms(sorted[std::clamp<std::size_t>(rank, 1, sorted.size()) - 1]);
}

}  // namespace micro::cli
