#include "api/worker_pool.hpp"

#include <algorithm>

namespace micro::api {

worker_pool::worker_pool(std::size_t threads, std::size_t limit) : limit_(limit) {
  for (std::size_t i = 0; i < std::max<std::size_t>(1, threads); ++i)
    threads_.emplace_back([this] { loop(); });
}

worker_pool::~worker_pool() { shutdown(); }

void worker_pool::shutdown() {
  {
    std::lock_guard<std::mutex> guard{mutex_};
    stopping_ = true;
  }
  ready_.notify_all();
  for (auto& t : threads_)
    if (t.joinable())
      t.join();
}

bool worker_pool::try_submit(std::function<void()> job) {
  {
    std::lock_guard<std::mutex> guard{mutex_};
    if (stopping_ || jobs_.size() + running_ >= limit_)
      return false;
    jobs_.push_back(std::move(job));
  }
  ready_.notify_one();
  return true;
}

std::size_t worker_pool::busy() const {
  std::lock_guard<std::mutex> guard{mutex_};
  return jobs_.size() + running_;
}

void worker_pool::loop() {
  std::unique_lock<std::mutex> lock{mutex_};
  for (;;) {
    ready_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
    if (jobs_.empty())
      return;  // stopping, nothing left
    auto job = std::move(jobs_.front());
    jobs_.pop_front();
    ++running_;
    lock.unlock();
    job();
    lock.lock();
    --running_;
  }
}

}  // namespace micro::api
