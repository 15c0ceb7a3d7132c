#include "registry/unavailable.hpp"

#include <condition_variable>
#include <mutex>

namespace micro::registry {

namespace {

// Never has an event: next() waits its timeout (or until stopped), as a watcher of a registry
// where nothing changes would.
class idle_watcher final : public watcher {
 public:
  std::optional<event> next(std::chrono::milliseconds timeout) override {
    std::unique_lock<std::mutex> lock{mutex_};
    changed_.wait_for(lock, timeout, [this] { return stopped_; });
    return std::nullopt;
  }
  void stop() override {
    {
      std::lock_guard<std::mutex> lock{mutex_};
      stopped_ = true;
    }
    changed_.notify_all();
  }
  bool stopped() const override {
    std::lock_guard<std::mutex> lock{mutex_};
    return stopped_;
  }

 private:
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  bool stopped_ = false;
};

class unavailable_registry final : public registry {
 public:
  unavailable_registry(std::string name, status why) : name_(std::move(name)), why_(std::move(why)) {
    if (why_.ok())  // an "unavailable" registry must never look healthy
      why_ = status{errc::unavailable, "registry " + name_ + ": unavailable"};
  }
  std::string name() const override { return name_; }
  status register_service(const service&, const register_options&) override { return why_; }
  status deregister_service(const service&) override { return why_; }
  result<std::vector<service>> get_service(const std::string&) override { return {why_, {}}; }
  result<std::vector<service>> list_services() override { return {why_, {}}; }
  std::unique_ptr<watcher> watch(const std::string&) override { return std::make_unique<idle_watcher>(); }

 private:
  std::string name_;
  status why_;
};

}  // namespace

std::shared_ptr<registry> make_unavailable_registry(std::string name, status why) {
  return std::make_shared<unavailable_registry>(std::move(name), std::move(why));
}

}  // namespace micro::registry
