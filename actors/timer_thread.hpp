#pragma once
// Deadlines without an actor: callbacks run at a time point on one thread of their own (started
// on first use). Made for per-call timeouts that almost never fire: adding one whose time is
// later than the thread's next wake-up does not wake it, and a cancelled one is erased at once,
// so a busy client costs one map insert and erase per call and about one wake-up per timeout
// period, however many calls it makes.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <thread>
#include <utility>

namespace micro::actors {

class timer_thread {
 public:
  using clock = std::chrono::steady_clock;
  using handle = std::pair<clock::time_point, uint64_t>;  // also the entry's key

  timer_thread() = default;
  /// Stops the thread; callbacks not yet run are dropped.
  ~timer_thread() { stop(); }
  timer_thread(const timer_thread&) = delete;
  timer_thread& operator=(const timer_thread&) = delete;

  /// Runs `fn` on the timer thread at `when` (at once if it is past), unless cancelled first.
  /// Returns a null handle (and drops `fn`) once stopped.
  handle add(clock::time_point when, std::function<void()> fn);
  /// Drops the entry if it has not started running; a no-op otherwise.
  void cancel(const handle& h);
  /// Joins the thread (not from a callback); later add()s are dropped.
  void stop();

 private:
  void run();

  std::mutex mutex_;  // guards everything below
  std::condition_variable wake_;
  std::map<handle, std::function<void()>> entries_;
  uint64_t next_ = 1;
  clock::time_point sleeping_until_ = clock::time_point::max();  // the thread's next wake-up
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace micro::actors
