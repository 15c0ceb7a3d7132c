#pragma once
// The three kinds of value a series holds. Each update is one relaxed atomic operation: no lock,
// no allocation, no lookup. A series is found once (registry.hpp) and its pointer kept.

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>

namespace micro::metrics {

/// Whether micro records metrics: false when MICRO_METRICS=off (read once, at first use).
/// Hooks check it once when they resolve their series, so "off" costs a null pointer test.
bool enabled();
/// Overrides the environment (tests, benchmarks); affects series resolved afterwards.
void set_enabled(bool on);

class counter {
 public:
  void inc(std::uint64_t n = 1) noexcept { value_.fetch_add(n, std::memory_order_relaxed); }
  std::uint64_t value() const noexcept { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> value_{0};
};

class gauge {
 public:
  void set(std::int64_t v) noexcept { value_.store(v, std::memory_order_relaxed); }
  void add(std::int64_t n) noexcept { value_.fetch_add(n, std::memory_order_relaxed); }
  void sub(std::int64_t n) noexcept { value_.fetch_sub(n, std::memory_order_relaxed); }
  std::int64_t value() const noexcept { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::int64_t> value_{0};
};

/// Durations in fixed buckets (upper bounds in seconds, Prometheus' `le`): 100 µs to 10 s covers
/// a loopback call (~50 µs lands in the first) and a deadline (5 s default timeout); from 5 ms up
/// they are Prometheus' default buckets, so existing dashboards fit.
class histogram {
 public:
  static constexpr std::array<double, 16> bounds{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                 0.05,   0.1,     0.25,   0.5,   1.0,    2.5,   5.0,  10.0};

  void observe(std::chrono::nanoseconds d) noexcept;
  /// Per bucket (not cumulative); the last one is +Inf.
  std::uint64_t bucket(std::size_t i) const noexcept { return counts_[i].load(std::memory_order_relaxed); }
  std::uint64_t count() const noexcept;
  double sum_seconds() const noexcept { return static_cast<double>(sum_ns_.load(std::memory_order_relaxed)) * 1e-9; }

 private:
  std::array<std::atomic<std::uint64_t>, bounds.size() + 1> counts_{};
  std::atomic<std::uint64_t> sum_ns_{0};
};

}  // namespace micro::metrics
