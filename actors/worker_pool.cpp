#include "actors/worker_pool.hpp"

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

namespace micro::actors {

struct worker_pool::shared {
  std::size_t max_threads = 1;
  std::mutex mutex;
  std::condition_variable wakeup;
  std::condition_variable all_exited;
  std::deque<std::function<void()>> jobs;
  std::vector<std::thread> threads;
  std::size_t idle = 0;
  std::size_t live = 0;
  bool stopping = false;
};

namespace {

// The pool whose job this thread runs: the last owner of a pool may drop it from inside one of
// its own jobs (a call gate freed by its last running handler), and a thread cannot wait for
// itself to exit.
thread_local const worker_pool::shared* running_pool = nullptr;

void work(const std::shared_ptr<worker_pool::shared>& st) {
  running_pool = st.get();
  std::unique_lock<std::mutex> guard{st->mutex};
  for (;;) {
    while (st->jobs.empty() && !st->stopping) {
      ++st->idle;
      st->wakeup.wait(guard);
      --st->idle;
    }
    if (st->jobs.empty())
      break;  // stopping and nothing left
    auto job = std::move(st->jobs.front());
    st->jobs.pop_front();
    guard.unlock();
    job();
    guard.lock();
  }
  if (--st->live == 0)
    st->all_exited.notify_all();
}

}  // namespace

worker_pool::worker_pool(std::size_t max_threads) : state_(std::make_shared<shared>()) {
  state_->max_threads = max_threads == 0 ? 1 : max_threads;
}

worker_pool::~worker_pool() {
  std::unique_lock<std::mutex> guard{state_->mutex};
  state_->stopping = true;
  state_->wakeup.notify_all();
  bool exited = running_pool != state_.get()
                && state_->all_exited.wait_for(guard, join_bound, [this] { return state_->live == 0; });
  auto threads = std::move(state_->threads);
  guard.unlock();
  for (auto& t : threads) {
    if (exited)
      t.join();
    else
      t.detach();  // each thread holds `state_`, so detaching is safe
  }
}

void worker_pool::submit(std::function<void()> job) {
  std::unique_lock<std::mutex> guard{state_->mutex};
  state_->jobs.push_back(std::move(job));
  if (state_->idle >= state_->jobs.size() || state_->threads.size() >= state_->max_threads) {
    guard.unlock();
    state_->wakeup.notify_one();
    return;
  }
  ++state_->live;
  state_->threads.emplace_back([st = state_] { work(st); });
}

std::size_t worker_pool::threads() const {
  std::lock_guard<std::mutex> guard{state_->mutex};
  return state_->threads.size();
}

}  // namespace micro::actors
