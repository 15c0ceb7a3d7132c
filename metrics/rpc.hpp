#pragma once
// micro's own series for calls, seen by the server (per endpoint) and by the client (per target
// service and endpoint): requests by code, a duration histogram, calls in flight. Resolved once
// per endpoint or target (a pointer, kept); recording is then a few relaxed atomic adds.
//
//   micro_server_requests_total{service,endpoint,code}      counter
//   micro_server_request_duration_seconds{service,endpoint}  histogram
//   micro_server_requests_in_flight{service,endpoint}        gauge
//   micro_client_requests_total{service,endpoint,code}      counter
//   micro_client_request_duration_seconds{service,endpoint}  histogram
//   micro_client_requests_in_flight{service,endpoint}        gauge
//   micro_client_retries_total{service,endpoint}             counter
//
// `code` is the HTTP-like status (go-micro's error codes), 200 for success.

#include <array>
#include <atomic>
#include <chrono>
#include <string>

#include "metrics/registry.hpp"

namespace micro::metrics {

class call_series {
 public:
  enum class side { server, client };
  call_series(side s, const std::string& service, const std::string& endpoint);

  void started() noexcept { in_flight_->add(1); }
  /// A call ended with `code` (0 or 200: success) after `took`; counts it out of in-flight.
  void finished(int code, std::chrono::nanoseconds took) noexcept;
  /// A call ended that was never counted in (refused before it started): no in-flight change.
  void refused(int code, std::chrono::nanoseconds took) noexcept;
  void retried() noexcept { retries_->inc(); }

 private:
  counter& by_code(int code) noexcept;

  side side_;
  labels base_;
  std::array<std::atomic<counter*>, 16> slots_{};  // the common codes, resolved on first use
  histogram* duration_;
  gauge* in_flight_;
  counter* retries_;
};

/// The series of `service`/`endpoint` on one side, made once and kept for the life of the
/// process; nullptr when metrics are off (MICRO_METRICS=off), so hooks test one pointer.
call_series* server_calls(const std::string& service, const std::string& endpoint);
call_series* client_calls(const std::string& service, const std::string& endpoint);

}  // namespace micro::metrics
