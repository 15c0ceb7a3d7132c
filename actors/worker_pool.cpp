#include "actors/worker_pool.hpp"

namespace micro::actors {

worker_pool::worker_pool(std::size_t max_threads) : max_threads_(max_threads == 0 ? 1 : max_threads) {}

worker_pool::~worker_pool() {
  {
    std::lock_guard<std::mutex> guard{mutex_};
    stopping_ = true;
  }
  wakeup_.notify_all();
  for (auto& t : threads_)
    t.join();
}

void worker_pool::submit(std::function<void()> job) {
  std::unique_lock<std::mutex> guard{mutex_};
  jobs_.push_back(std::move(job));
  if (idle_ >= jobs_.size() || threads_.size() >= max_threads_) {
    guard.unlock();
    wakeup_.notify_one();
    return;
  }
  threads_.emplace_back([this] { work(); });
}

std::size_t worker_pool::threads() const {
  std::lock_guard<std::mutex> guard{mutex_};
  return threads_.size();
}

void worker_pool::work() {
  std::unique_lock<std::mutex> guard{mutex_};
  for (;;) {
    while (jobs_.empty() && !stopping_) {
      ++idle_;
      wakeup_.wait(guard);
      --idle_;
    }
    if (jobs_.empty())
      return;  // stopping and nothing left
    auto job = std::move(jobs_.front());
    jobs_.pop_front();
    guard.unlock();
    job();
    guard.lock();
  }
}

}  // namespace micro::actors
