#pragma once
// Plain threads for user handlers. Handlers may block (sleep, nested blocking calls); doing that
// on a CAF worker would stall every actor of the process, so handlers never run there.

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace micro::actors {

class worker_pool {
 public:
  /// Threads are started on demand, up to `max_threads`, and kept for reuse.
  explicit worker_pool(std::size_t max_threads);
  ~worker_pool();  // runs the queued jobs, then joins
  worker_pool(const worker_pool&) = delete;
  worker_pool& operator=(const worker_pool&) = delete;

  void submit(std::function<void()> job);
  std::size_t threads() const;

 private:
  void work();

  const std::size_t max_threads_;
  mutable std::mutex mutex_;
  std::condition_variable wakeup_;
  std::deque<std::function<void()>> jobs_;
  std::vector<std::thread> threads_;
  std::size_t idle_ = 0;
  bool stopping_ = false;
};

}  // namespace micro::actors
