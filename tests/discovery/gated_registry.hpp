// A registry in front of a real one whose lookups and watch events a test lets through by hand,
// to put a lookup and the events around it in an exact order: a lookup reads the inner registry
// at once, then answers only when released; the watcher passes on events only as allowed.
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>

#include "registry/registry.hpp"

namespace micro::test {

namespace reg = micro::registry;

class gated_registry final : public reg::registry {
 public:
  explicit gated_registry(std::shared_ptr<reg::registry> inner) : inner_(std::move(inner)) {}

  /// Waits until a watcher is open (the registry watcher actor opens it when it starts).
  bool await_watch(std::chrono::milliseconds bound = std::chrono::seconds(5)) {
    std::unique_lock<std::mutex> lk(mtx_);
    return cv_.wait_for(lk, bound, [&] { return watches_ > 0; });
  }
  /// Waits until a lookup has read the inner registry (false after `bound`).
  bool await_lookup_read(std::chrono::milliseconds bound = std::chrono::seconds(5)) {
    std::unique_lock<std::mutex> lk(mtx_);
    return cv_.wait_for(lk, bound, [&] { return reads_ > 0; });
  }
  /// Lets the lookup that has read answer.
  void release_lookup() {
    std::lock_guard<std::mutex> lk(mtx_);
    --reads_;
    ++releases_;
    cv_.notify_all();
  }
  /// Lets `n` more watch events through.
  void allow_events(int n) {
    std::lock_guard<std::mutex> lk(mtx_);
    allowed_ += n;
    cv_.notify_all();
  }

  std::string name() const override { return "gated(" + inner_->name() + ")"; }
  reg::status register_service(const reg::service& s, const reg::register_options& o = {}) override {
    return inner_->register_service(s, o);
  }
  reg::status deregister_service(const reg::service& s) override { return inner_->deregister_service(s); }
  reg::result<std::vector<reg::service>> get_service(const std::string& n) override {
    return get_service_snapshot(n).services;
  }
  reg::service_snapshot get_service_snapshot(const std::string& n) override {
    auto answer = inner_->get_service_snapshot(n);
    hold_answer();
    return answer;
  }
  reg::result<std::vector<reg::service>> list_services() override { return inner_->list_services(); }
  std::unique_ptr<reg::watcher> watch(const std::string& n = {}) override {
    auto w = std::make_unique<gated_watcher>(*this, inner_->watch(n));
    std::lock_guard<std::mutex> lk(mtx_);
    ++watches_;
    cv_.notify_all();
    return w;
  }

 private:
  // Tells the test the lookup has read, and waits for its release (bounded: a test that forgot
  // to release must not hang the watcher for ever).
  void hold_answer() {
    std::unique_lock<std::mutex> lk(mtx_);
    ++reads_;
    cv_.notify_all();
    cv_.wait_for(lk, std::chrono::seconds(10), [&] { return releases_ > 0; });
    if (releases_ > 0)
      --releases_;
  }

  class gated_watcher final : public reg::watcher {
   public:
    gated_watcher(gated_registry& owner, std::unique_ptr<reg::watcher> inner)
        : owner_(owner), inner_(std::move(inner)) {}
    std::optional<reg::event> next(std::chrono::milliseconds timeout) override {
      {
        std::unique_lock<std::mutex> lk(owner_.mtx_);
        if (!owner_.cv_.wait_for(lk, timeout, [&] { return owner_.allowed_ > 0 || inner_->stopped(); }))
          return std::nullopt;
      }
      auto ev = inner_->next(timeout);
      if (ev) {
        std::lock_guard<std::mutex> lk(owner_.mtx_);
        --owner_.allowed_;
      }
      return ev;
    }
    void stop() override {
      inner_->stop();
      std::lock_guard<std::mutex> lk(owner_.mtx_);
      owner_.cv_.notify_all();
    }
    bool stopped() const override { return inner_->stopped(); }
    bool overflowed() const override { return inner_->overflowed(); }

   private:
    gated_registry& owner_;
    std::unique_ptr<reg::watcher> inner_;
  };

  std::shared_ptr<reg::registry> inner_;
  std::mutex mtx_;
  std::condition_variable cv_;
  int watches_ = 0, reads_ = 0, releases_ = 0, allowed_ = 0;
};

}  // namespace micro::test
