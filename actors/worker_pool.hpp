#pragma once
// Plain threads for user handlers. Handlers may block (sleep, nested blocking calls); doing that
// on a CAF worker would stall every actor of the process, so handlers never run there.

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>

namespace micro::actors {

class worker_pool {
 public:
  /// Threads are started on demand, up to `max_threads`, and kept for reuse.
  explicit worker_pool(std::size_t max_threads);
  /// Lets queued jobs finish and joins the threads; a thread still inside a handler after
  /// `join_bound` is detached instead, so one stuck handler cannot hang the process's shutdown.
  ~worker_pool();
  worker_pool(const worker_pool&) = delete;
  worker_pool& operator=(const worker_pool&) = delete;

  void submit(std::function<void()> job);
  std::size_t threads() const;

  static constexpr std::chrono::milliseconds join_bound{500};

  struct shared;  // lives as long as the last thread, which may outlive the pool

 private:
  std::shared_ptr<shared> state_;
};

}  // namespace micro::actors
