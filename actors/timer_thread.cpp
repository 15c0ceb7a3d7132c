#include "actors/timer_thread.hpp"

#include <vector>

namespace micro::actors {

timer_thread::handle timer_thread::add(clock::time_point when, std::function<void()> fn) {
  std::unique_lock lock{mutex_};
  if (stopping_)
    return {};
  handle h{when, next_++};
  entries_.emplace(h, std::move(fn));
  if (!thread_.joinable()) {
    thread_ = std::thread{[this] { run(); }};
    return h;
  }
  // The thread wakes by itself at sleeping_until_ and then looks at the earliest entry.
  if (when < sleeping_until_) {
    lock.unlock();
    wake_.notify_one();
  }
  return h;
}

void timer_thread::cancel(const handle& h) {
  std::lock_guard lock{mutex_};
  entries_.erase(h);
}

void timer_thread::stop() {
  {
    std::lock_guard lock{mutex_};
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable())
    thread_.join();
  std::lock_guard lock{mutex_};
  entries_.clear();
}

void timer_thread::run() {
  std::unique_lock lock{mutex_};
  std::vector<std::function<void()>> due;
  while (!stopping_) {
    auto now = clock::now();
    while (!entries_.empty() && entries_.begin()->first.first <= now) {
      due.push_back(std::move(entries_.begin()->second));
      entries_.erase(entries_.begin());
    }
    if (!due.empty()) {
      lock.unlock();
      for (auto& fn : due)
        fn();
      due.clear();
      lock.lock();
      continue;
    }
    sleeping_until_ = entries_.empty() ? clock::time_point::max() : entries_.begin()->first.first;
    if (sleeping_until_ == clock::time_point::max())
      wake_.wait(lock);
    else
      wake_.wait_until(lock, sleeping_until_);
  }
}

}  // namespace micro::actors
