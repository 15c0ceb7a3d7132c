#include "actors/worker_pool.hpp"

#include <atomic>
#include <chrono>
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
  std::size_t spinning = 0;            // threads looking for a next job before they sleep
  std::atomic<std::size_t> queued{0};  // jobs.size(), readable without the mutex
  std::size_t live = 0;
  bool stopping = false;
};

namespace {

// The pool whose job this thread runs: the last owner of a pool may drop it from inside one of
// its own jobs (a call gate freed by its last running handler), and a thread cannot wait for
// itself to exit.
thread_local const worker_pool::shared* running_pool = nullptr;

// How long a thread that finished a job looks for the next one before it sleeps. Under load the
// next call usually comes within this, and taking it costs no wake-up (a futex wake and a
// context switch, most of a pooled call's hand-off: docs/benchmarks.md); when idle, it costs at
// most this much CPU once per job, giving the core away (yield) to anyone who wants it.
constexpr auto spin_before_sleep = std::chrono::microseconds{20};
// One looking thread takes the next job as well as several would; the others sleep at once, so a
// large pool after a burst does not keep many cores busy.
constexpr std::size_t max_spinning = 1;

// Waits for `queued` to leave 0 for at most spin_before_sleep; the caller holds no lock.
void look_for_work(const worker_pool::shared& st) {
  auto until = std::chrono::steady_clock::now() + spin_before_sleep;
  while (st.queued.load(std::memory_order_relaxed) == 0 && std::chrono::steady_clock::now() < until)
    std::this_thread::yield();
}

void work(const std::shared_ptr<worker_pool::shared>& st) {
  running_pool = st.get();
  std::unique_lock<std::mutex> guard{st->mutex};
  bool spun = false;  // once per job: then sleep until woken
  for (;;) {
    while (st->jobs.empty() && !st->stopping) {
      if (!spun && st->spinning < max_spinning) {
        spun = true;
        ++st->spinning;
        guard.unlock();
        look_for_work(*st);
        guard.lock();
        --st->spinning;
        continue;
      }
      ++st->idle;
      st->wakeup.wait(guard);
      --st->idle;
    }
    if (st->jobs.empty())
      break;  // stopping and nothing left
    spun = false;
    auto job = std::move(st->jobs.front());
    st->jobs.pop_front();
    st->queued.store(st->jobs.size(), std::memory_order_relaxed);
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
  state_->queued.store(state_->jobs.size(), std::memory_order_relaxed);
  // A thread looking for work takes it without being woken: it sees `queued` and then, under
  // the mutex, the job (or, if it gave up first, it sleeps only after seeing the queue empty).
  if (state_->spinning >= state_->jobs.size())
    return;
  if (state_->idle + state_->spinning >= state_->jobs.size() || state_->threads.size() >= state_->max_threads) {
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
