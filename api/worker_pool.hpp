#pragma once
// The gateway's threads for blocking calls: a fixed pool and a bounded queue, so HTTP I/O
// threads never block and a burst beyond the limit is refused at once (503) instead of queued
// without bound.

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace micro::api {

class worker_pool {
 public:
  /// `threads` workers; at most `limit` jobs queued or running at once.
  worker_pool(std::size_t threads, std::size_t limit);
  ~worker_pool();  // shutdown()
  worker_pool(const worker_pool&) = delete;
  worker_pool& operator=(const worker_pool&) = delete;

  /// Queues `job`; false (and `job` not run) when `limit` jobs are already queued or running.
  bool try_submit(std::function<void()> job);
  std::size_t busy() const;
  /// Refuses new jobs, runs what was queued, joins the threads. Idempotent; not from a job.
  void shutdown();

 private:
  void loop();
  const std::size_t limit_;
  mutable std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::function<void()>> jobs_;
  std::size_t running_ = 0;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace micro::api
