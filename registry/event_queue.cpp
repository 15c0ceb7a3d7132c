#include "registry/event_queue.hpp"

#include <algorithm>
#include <utility>

namespace micro::registry {

event_queue::event_queue(std::string service_filter, std::size_t capacity)
    : filter_(std::move(service_filter)), capacity_(std::max<std::size_t>(capacity, 1)) {}

bool event_queue::wants(const std::string& service_name) const {
  return filter_.empty() || filter_ == service_name;
}

bool event_queue::push(event ev) {
  bool accepted = true;
  {
    std::lock_guard<std::mutex> lock(mtx_);
    if (stopped_) return false;
    if (events_.size() < capacity_) {
      events_.push_back(std::move(ev));
    } else {
      accepted = false;
      // Queued events are useless once one is lost: the consumer must resync.
      events_.clear();
      stopped_ = true;
      overflowed_ = true;
    }
  }
  cv_.notify_all();
  return accepted;
}

void event_queue::close() { stop(); }

std::optional<event> event_queue::pop(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mtx_);
  cv_.wait_for(lock, timeout, [this] { return stopped_ || !events_.empty(); });
  if (stopped_ || events_.empty()) return std::nullopt;
  event ev = std::move(events_.front());
  events_.pop_front();
  return ev;
}

void event_queue::stop() {
  {
    std::lock_guard<std::mutex> lock(mtx_);
    stopped_ = true;
    events_.clear();
  }
  cv_.notify_all();
}

bool event_queue::stopped() const {
  std::lock_guard<std::mutex> lock(mtx_);
  return stopped_;
}

bool event_queue::overflowed() const {
  std::lock_guard<std::mutex> lock(mtx_);
  return overflowed_;
}

namespace {

class queue_watcher final : public watcher {
 public:
  explicit queue_watcher(std::shared_ptr<event_queue> queue) : queue_(std::move(queue)) {}
  ~queue_watcher() override { queue_->stop(); }

  std::optional<event> next(std::chrono::milliseconds timeout) override {
    return queue_->pop(timeout);
  }
  void stop() override { queue_->stop(); }
  bool stopped() const override { return queue_->stopped(); }
  bool overflowed() const override { return queue_->overflowed(); }

 private:
  std::shared_ptr<event_queue> queue_;
};

}  // namespace

std::unique_ptr<watcher> make_queue_watcher(std::shared_ptr<event_queue> queue) {
  return std::make_unique<queue_watcher>(std::move(queue));
}

std::unique_ptr<watcher> watcher_set::add(const std::string& service_name) {
  auto q = std::make_shared<event_queue>(service_name, capacity_);
  // Forget watchers whose consumers went away, even if no event ever came.
  queues_.erase(std::remove_if(queues_.begin(), queues_.end(), [](const auto& w) { return w->stopped(); }),
                queues_.end());
  queues_.push_back(q);
  return make_queue_watcher(std::move(q));
}

void watcher_set::publish(event_type type, service svc) {
  publish_numbered(event{type, std::move(svc), std::chrono::system_clock::now(), revision_ + 1});
}

void watcher_set::publish_numbered(event ev) {
  revision_ = std::max(revision_, ev.revision);
  queues_.erase(std::remove_if(queues_.begin(), queues_.end(),
                               [&](const std::shared_ptr<event_queue>& q) {
                                 if (q->stopped()) return true;
                                 if (!q->wants(ev.svc.name)) return false;
                                 return !q->push(ev);
                               }),
                queues_.end());
}

void watcher_set::close_all() {
  for (auto& q : queues_) q->close();
  queues_.clear();
}

}  // namespace micro::registry
