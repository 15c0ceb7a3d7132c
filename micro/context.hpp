#pragma once
// The context of a call: metadata (trace ids, auth, user keys) and the deadline. A handler gets
// one; passing it to a downstream call propagates both, so nested calls share the time budget.

#include <chrono>
#include <map>
#include <optional>
#include <string>

namespace micro {

using metadata = std::map<std::string, std::string>;

class context {
 public:
  using clock = std::chrono::steady_clock;

  context() = default;
  context(std::string service, std::string endpoint, micro::metadata md, clock::time_point deadline)
      : service_(std::move(service)), endpoint_(std::move(endpoint)), metadata_(std::move(md)),
        deadline_(deadline) {}

  const std::string& service() const noexcept { return service_; }
  const std::string& endpoint() const noexcept { return endpoint_; }

  const micro::metadata& metadata() const noexcept { return metadata_; }
  micro::metadata& metadata() noexcept { return metadata_; }
  std::optional<std::string> get(const std::string& key) const;

  /// clock::time_point::max() when the context has no deadline.
  clock::time_point deadline() const noexcept { return deadline_; }
  bool has_deadline() const noexcept { return deadline_ != clock::time_point::max(); }
  bool expired() const noexcept { return has_deadline() && clock::now() >= deadline_; }
  /// Time left; zero once expired, max() without a deadline.
  std::chrono::nanoseconds remaining() const noexcept;

 private:
  std::string service_;
  std::string endpoint_;
  micro::metadata metadata_;
  clock::time_point deadline_ = clock::time_point::max();
};

}  // namespace micro
