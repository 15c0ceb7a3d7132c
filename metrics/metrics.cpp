#include "metrics/metrics.hpp"

#include <cstdlib>
#include <cstring>

namespace micro::metrics {

namespace {

std::atomic<int>& enabled_flag() {
  // -1: not read yet.
  static std::atomic<int> flag{-1};
  return flag;
}

constexpr std::array<std::int64_t, histogram::bounds.size()> bounds_ns() {
  std::array<std::int64_t, histogram::bounds.size()> out{};
  for (std::size_t i = 0; i < out.size(); ++i)
    out[i] = static_cast<std::int64_t>(histogram::bounds[i] * 1e9 + 0.5);
  return out;
}

constexpr auto limits_ns = bounds_ns();

}  // namespace

bool enabled() {
  auto v = enabled_flag().load(std::memory_order_relaxed);
  if (v < 0) {
    const char* env = std::getenv("MICRO_METRICS");
    bool off = env != nullptr && (std::strcmp(env, "off") == 0 || std::strcmp(env, "0") == 0 ||
                                  std::strcmp(env, "false") == 0);
    v = off ? 0 : 1;
    enabled_flag().store(v, std::memory_order_relaxed);
  }
  return v == 1;
}

void set_enabled(bool on) { enabled_flag().store(on ? 1 : 0, std::memory_order_relaxed); }

void histogram::observe(std::chrono::nanoseconds d) noexcept {
  auto ns = d.count() < 0 ? 0 : d.count();
  std::size_t i = 0;
  while (i < limits_ns.size() && ns > limits_ns[i])
    ++i;
  counts_[i].fetch_add(1, std::memory_order_relaxed);
  sum_ns_.fetch_add(static_cast<std::uint64_t>(ns), std::memory_order_relaxed);
}

std::uint64_t histogram::count() const noexcept {
  std::uint64_t n = 0;
  for (auto& c : counts_)
    n += c.load(std::memory_order_relaxed);
  return n;
}

}  // namespace micro::metrics
