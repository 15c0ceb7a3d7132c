// The worker pool under the gate: every job runs exactly once, whether its worker was asleep or
// still looking for work after its last job, on at most max_threads threads. Waits are on events
// with a bound, so a lost wake-up fails instead of hanging.

#include <catch2/catch.hpp>

#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "actors/worker_pool.hpp"

namespace {

using micro::actors::worker_pool;
using namespace std::chrono_literals;

constexpr auto wait_bound = 10s;

struct tally {
  std::mutex mutex;
  std::condition_variable changed;
  std::size_t done = 0;
  std::set<std::thread::id> threads;

  void job_ran() {
    std::lock_guard lock{mutex};
    ++done;
    threads.insert(std::this_thread::get_id());
    changed.notify_all();
  }
  bool await(std::size_t n) {
    std::unique_lock lock{mutex};
    return changed.wait_for(lock, wait_bound, [&] { return done >= n; });
  }
};

}  // namespace

TEST_CASE("one job at a time: each runs, whether its worker was asleep or still looking for work") {
  worker_pool pool{2};
  tally t;
  // Each job is submitted once the previous one ran: its worker is still finishing it, looking
  // for work, or asleep by then; in every case the job must run (a lost wake-up times out here).
  for (std::size_t i = 1; i <= 2000; ++i) {
    pool.submit([&] { t.job_ran(); });
    REQUIRE(t.await(i));
  }
  CHECK(pool.threads() <= 2);
}

TEST_CASE("jobs from several threads at once all run exactly once, on at most max_threads") {
  constexpr std::size_t submitters = 4, per_submitter = 5000;
  worker_pool pool{3};
  tally t;
  std::vector<std::thread> threads;
  for (std::size_t s = 0; s < submitters; ++s)
    threads.emplace_back([&] {
      for (std::size_t i = 0; i < per_submitter; ++i)
        pool.submit([&] { t.job_ran(); });
    });
  for (auto& th : threads)
    th.join();
  REQUIRE(t.await(submitters * per_submitter));
  CHECK(t.done == submitters * per_submitter);
  CHECK(pool.threads() <= 3);
}
