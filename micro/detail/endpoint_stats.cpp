#include "micro/detail/endpoint_stats.hpp"

#include <algorithm>

namespace micro::detail {

void endpoint_stats::record(std::chrono::nanoseconds took, bool failed) noexcept {
  auto us = static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(took).count());
  auto at = std::lower_bound(bounds_us.begin(), bounds_us.end(), us) - bounds_us.begin();
  counts[static_cast<std::size_t>(at)].fetch_add(1, std::memory_order_relaxed);
  requests.fetch_add(1, std::memory_order_relaxed);
  if (failed)
    errors.fetch_add(1, std::memory_order_relaxed);
}

nlohmann::json endpoint_stats::to_json() const {
  auto counted = nlohmann::json::array();
  for (auto& c : counts)
    counted.push_back(c.load(std::memory_order_relaxed));
  return {{"requests", requests.load(std::memory_order_relaxed)},
          {"errors", errors.load(std::memory_order_relaxed)},
          {"latency", {{"bounds_us", bounds_us}, {"counts", std::move(counted)}}}};
}

endpoint_stats* endpoint_stats_table::of(const std::string& endpoint) {
  std::lock_guard<std::mutex> guard{mutex_};
  auto& slot = endpoints_[endpoint];
  if (!slot)
    slot = std::make_unique<endpoint_stats>();
  return slot.get();
}

nlohmann::json endpoint_stats_table::to_json() const {
  std::lock_guard<std::mutex> guard{mutex_};
  auto out = nlohmann::json::object();
  for (auto& [name, s] : endpoints_)
    out[name] = s->to_json();
  return out;
}

raw_handler timed(raw_handler next, endpoint_stats* stats) {
  if (!next)
    return next;
  return [next = std::move(next), stats](const context& ctx, const raw_message& in) -> result<raw_message> {
    auto start = std::chrono::steady_clock::now();
    try {
      auto out = next(ctx, in);
      stats->record(std::chrono::steady_clock::now() - start, !out.ok());
      return out;
    } catch (...) {
      stats->record(std::chrono::steady_clock::now() - start, true);
      throw;
    }
  };
}

}  // namespace micro::detail
