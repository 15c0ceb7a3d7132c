// A registry that forwards to a real backend and counts the lookups that reach it, so tests can
// see what the client's cache and the registry watcher spare the backend.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "registry/registry.hpp"

namespace micro::test {

namespace reg = micro::registry;

class counting_registry final : public reg::registry {
 public:
  counting_registry(std::shared_ptr<reg::registry> inner, std::chrono::milliseconds lookup_delay)
      : inner_(std::move(inner)), delay_(lookup_delay) {}

  int lookups() const { return lookups_.load(); }
  // While true, lookups fail as `unavailable`, as a backend whose daemon went away does.
  void set_unavailable(bool on) { unavailable_ = on; }

  std::string name() const override { return "counting(" + inner_->name() + ")"; }
  reg::status register_service(const reg::service& s, const reg::register_options& o = {}) override {
    return inner_->register_service(s, o);
  }
  reg::status deregister_service(const reg::service& s) override { return inner_->deregister_service(s); }
  reg::result<std::vector<reg::service>> get_service(const std::string& n) override {
    return get_service_snapshot(n).services;
  }
  reg::service_snapshot get_service_snapshot(const std::string& n) override {
    ++lookups_;
    std::this_thread::sleep_for(delay_);  // a backend that takes its time (an mDNS settle)
    if (unavailable_)
      return {{reg::make_error(reg::errc::unavailable, name(), "daemon gone"), {}}, 0};
    return inner_->get_service_snapshot(n);
  }
  reg::result<std::vector<reg::service>> list_services() override { return inner_->list_services(); }
  std::unique_ptr<reg::watcher> watch(const std::string& n = {}) override { return inner_->watch(n); }

 private:
  std::shared_ptr<reg::registry> inner_;
  std::chrono::milliseconds delay_;
  std::atomic<int> lookups_{0};
  std::atomic<bool> unavailable_{false};
};

}  // namespace micro::test
