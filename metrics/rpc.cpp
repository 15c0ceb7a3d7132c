#include "metrics/rpc.hpp"

#include <map>
#include <memory>
#include <mutex>

namespace micro::metrics {

namespace {

// The codes micro's errors use (micro/error.hpp), each with a slot; others go to the registry.
constexpr std::array<int, 16> common_codes{200, 400, 401, 403, 404, 408, 409, 413, 429, 500, 501, 502, 503, 504, 0, 0};

int slot_of(int code) {
  for (std::size_t i = 0; i < common_codes.size() && common_codes[i] != 0; ++i)
    if (common_codes[i] == code)
      return static_cast<int>(i);
  return -1;
}

const char* prefix(call_series::side s) { return s == call_series::side::server ? "micro_server_" : "micro_client_"; }

}  // namespace

call_series::call_series(side s, const std::string& service, const std::string& endpoint)
    : side_(s), base_{{"service", service}, {"endpoint", endpoint}} {
  auto& r = registry::global();
  std::string p = prefix(s);
  bool server = s == side::server;
  duration_ = &r.histogram(p + "request_duration_seconds",
                           server ? "Time from a request's arrival to its reply, per endpoint."
                                  : "Time from a call's start to its outcome (retries included), per target.",
                           base_);
  in_flight_ = &r.gauge(p + "requests_in_flight",
                        server ? "Requests received and not yet answered." : "Calls started and not yet settled.", base_);
  retries_ = server ? nullptr
                    : &r.counter("micro_client_retries_total", "Attempts made again after a failed one.", base_);
}

counter& call_series::by_code(int code) noexcept {
  if (code == 0)
    code = 200;
  auto slot = slot_of(code);
  if (slot >= 0)
    if (auto* c = slots_[static_cast<std::size_t>(slot)].load(std::memory_order_acquire))
      return *c;
  auto l = base_;
  l.emplace_back("code", std::to_string(code));
  auto& made = registry::global().counter(std::string{prefix(side_)} + "requests_total",
                                          side_ == side::server ? "Requests answered, by endpoint and status code."
                                                                : "Calls settled, by target and status code.",
                                          l);
  if (slot >= 0)
    slots_[static_cast<std::size_t>(slot)].store(&made, std::memory_order_release);
  return made;
}

void call_series::finished(int code, std::chrono::nanoseconds took) noexcept {
  in_flight_->sub(1);
  refused(code, took);
}

void call_series::refused(int code, std::chrono::nanoseconds took) noexcept {
  by_code(code).inc();
  duration_->observe(took);
}

namespace {

call_series* resolve(call_series::side s, const std::string& service, const std::string& endpoint) {
  if (!enabled())
    return nullptr;
  static std::mutex mutex;
  static auto* known = new std::map<std::tuple<int, std::string, std::string>, std::unique_ptr<call_series>>;
  std::lock_guard<std::mutex> guard{mutex};
  auto& slot = (*known)[{static_cast<int>(s), service, endpoint}];
  if (!slot)
    slot = std::make_unique<call_series>(s, service, endpoint);
  return slot.get();
}

}  // namespace

call_series* server_calls(const std::string& service, const std::string& endpoint) {
  return resolve(call_series::side::server, service, endpoint);
}

call_series* client_calls(const std::string& service, const std::string& endpoint) {
  return resolve(call_series::side::client, service, endpoint);
}

}  // namespace micro::metrics
