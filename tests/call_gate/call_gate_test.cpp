// The call gate alone: real worker threads, handlers that block until the test lets them go, and
// replies awaited as events (a condition variable), never by sleeping.

#include <catch2/catch.hpp>

#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

#include "actors/call_gate.hpp"
#include "caf/all.hpp"

namespace {

using namespace micro::actors;
using namespace std::chrono_literals;

constexpr auto wait_bound = 10s;

// Handlers that block until released, and what the test waits for.
struct blocker {
  std::mutex mutex;
  std::condition_variable changed;
  int entered = 0;
  bool released = false;
  std::vector<std::thread::id> threads;  // of each handler run, in order

  response run() {
    std::unique_lock lock{mutex};
    ++entered;
    threads.push_back(std::this_thread::get_id());
    changed.notify_all();
    changed.wait(lock, [this] { return released; });
    return response{};
  }
  void release() {
    std::lock_guard lock{mutex};
    released = true;
    changed.notify_all();
  }
  bool await_entered(int n) {
    std::unique_lock lock{mutex};
    return changed.wait_for(lock, wait_bound, [&] { return entered >= n; });
  }
};

// The responses, by call number.
struct replies {
  std::mutex mutex;
  std::condition_variable changed;
  std::map<int, response> got;
  std::map<int, std::thread::id> threads;
  int made = 0;

  reply_sink sink(int n) {
    ++made;
    return reply_sink{[this, n](const response& rsp) {
      std::lock_guard lock{mutex};
      got[n] = rsp;
      threads[n] = std::this_thread::get_id();
      changed.notify_all();
    }};
  }
  bool has(int n) {
    std::lock_guard lock{mutex};
    return got.count(n) > 0;
  }
  response await(int n) {
    std::unique_lock lock{mutex};
    if (!changed.wait_for(lock, wait_bound, [&] { return got.count(n) > 0; }))
      FAIL("no reply to call " << n);
    return got[n];
  }
  // Every call answered: no worker still holds a sink into this object.
  void await_all() {
    std::unique_lock lock{mutex};
    changed.wait_for(lock, wait_bound, [&] { return static_cast<int>(got.size()) >= made; });
  }
};

request call(const std::string& endpoint, std::chrono::nanoseconds timeout = 10s) {
  request req;
  req.service = "svc";
  req.endpoint = endpoint;
  req.timeout_ns = timeout.count();
  return req;
}

// A user actor endpoint needs an actor; the gate never messages it (its launcher does).
struct some_actor {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  caf::actor idle = sys.spawn([] { return caf::behavior{[](int) {}}; });
  ~some_actor() { caf::anon_send_exit(idle, caf::exit_reason::user_shutdown); }
};

struct fixture {
  some_actor actor;
  blocker block;
  replies out;
  std::shared_ptr<service_counters> counters = std::make_shared<service_counters>();
  std::vector<gate_call> actor_calls;  // what the launcher got
  std::unique_ptr<call_gate> gate;

  explicit fixture(std::size_t max_concurrency, std::size_t max_queue = 16) {
    std::map<std::string, endpoint_handler> endpoints;
    endpoints["Block"].run = [this](const request&, clock::time_point) { return block.run(); };
    endpoints["Throw"].run = [](const request&, clock::time_point) -> response { throw std::runtime_error{"boom"}; };
    endpoints["Inline"].run = [](const request&, clock::time_point) { return response{}; };
    endpoints["Inline"].run_on_actor = true;
    endpoints["Actor"].actor = actor.idle;
    gate = std::make_unique<call_gate>(call_gate::settings{"svc", max_concurrency, max_queue, counters, nullptr},
                                       std::move(endpoints),
                                       [this](gate_call c) { actor_calls.push_back(std::move(c)); });
  }
  ~fixture() {
    block.release();
    actor_calls.clear();  // answered 503 by their sinks
    out.await_all();
  }
};

}  // namespace

TEST_CASE("at most max_concurrency handlers run; the next call waits and runs on a freed worker") {
  fixture f{2, 1};
  f.gate->accept(call("Block"), f.out.sink(1));
  f.gate->accept(call("Block"), f.out.sink(2));
  REQUIRE(f.block.await_entered(2));
  f.gate->accept(call("Block"), f.out.sink(3));  // waits: both slots are busy
  CHECK(f.counters->queued.load() == 1);
  CHECK(f.counters->in_flight.load() == 2);
  f.gate->accept(call("Block"), f.out.sink(4));  // the queue (1) is full
  auto refused = f.out.await(4);
  CHECK(refused.code == 503);
  CHECK_THAT(refused.detail, Catch::Contains("overloaded"));
  CHECK_FALSE(f.out.has(3));
  f.block.release();
  for (int n = 1; n <= 3; ++n)
    CHECK(f.out.await(n).code == 0);
  std::lock_guard lock{f.block.mutex};
  REQUIRE(f.block.threads.size() == 3);
  // The third ran on a worker that had finished one of the first two: no thread of its own.
  CHECK((f.block.threads[2] == f.block.threads[0] || f.block.threads[2] == f.block.threads[1]));
  CHECK(f.counters->requests.load() == 4);
  CHECK(f.counters->errors.load() == 1);
}

TEST_CASE("a call whose deadline passes while it waits for a slot gets 408 and never runs") {
  fixture f{1};
  f.gate->accept(call("Block"), f.out.sink(1));
  REQUIRE(f.block.await_entered(1));
  auto queued_at = clock::now();
  f.gate->accept(call("Block", 5ms), f.out.sink(2));
  while (clock::now() < queued_at + 5ms)  // the behaviour under test is time passing
    std::this_thread::sleep_for(1ms);
  f.block.release();
  CHECK(f.out.await(1).code == 0);
  auto expired = f.out.await(2);
  CHECK(expired.code == 408);
  CHECK_THAT(expired.detail, Catch::Contains("waiting for a free handler slot"));
  std::lock_guard lock{f.block.mutex};
  CHECK(f.block.entered == 1);
}

TEST_CASE("inline endpoints answer on the accepting thread while every slot is busy") {
  fixture f{1, 0};
  f.gate->accept(call("Block"), f.out.sink(1));
  REQUIRE(f.block.await_entered(1));
  f.gate->accept(call("Inline"), f.out.sink(2));
  REQUIRE(f.out.has(2));  // answered before accept returned
  CHECK(f.out.await(2).code == 0);
  std::lock_guard lock{f.out.mutex};
  CHECK(f.out.threads[2] == std::this_thread::get_id());
}

TEST_CASE("refusals: unknown endpoint 404, no time left 408, a throwing handler 500") {
  fixture f{1};
  f.gate->accept(call("Nope"), f.out.sink(1));
  f.gate->accept(call("Block", 0ns), f.out.sink(2));
  f.gate->accept(call("Throw"), f.out.sink(3));
  CHECK(f.out.await(1).code == 404);
  CHECK(f.out.await(2).code == 408);
  auto thrown = f.out.await(3);
  CHECK(thrown.code == 500);
  CHECK(thrown.detail == "boom");
  CHECK(f.counters->errors.load() == 3);
}

TEST_CASE("drain refuses new calls with 503 and reports idle once running calls finished") {
  fixture f{2};
  f.gate->accept(call("Block"), f.out.sink(1));
  REQUIRE(f.block.await_entered(1));
  std::mutex mutex;
  std::condition_variable changed;
  bool idle = false;
  f.gate->drain([&] {
    std::lock_guard lock{mutex};
    idle = true;
    changed.notify_all();
  });
  {
    std::lock_guard lock{mutex};
    CHECK_FALSE(idle);
  }
  f.gate->accept(call("Block"), f.out.sink(2));
  f.gate->accept(call("Inline"), f.out.sink(3));
  CHECK(f.out.await(2).code == 503);
  CHECK(f.out.await(3).code == 503);
  f.block.release();
  CHECK(f.out.await(1).code == 0);
  std::unique_lock lock{mutex};
  CHECK(changed.wait_for(lock, wait_bound, [&] { return idle; }));
}

TEST_CASE("an actor endpoint's call holds a slot until finish_actor_call, which starts the next") {
  fixture f{1};
  f.gate->accept(call("Actor"), f.out.sink(1));
  REQUIRE(f.actor_calls.size() == 1);  // launched from accept, on this thread
  f.gate->accept(call("Block"), f.out.sink(2));
  CHECK(f.counters->queued.load() == 1);  // the actor call holds the only slot
  response answer;
  answer.body = "from the actor";
  f.gate->finish_actor_call(f.actor_calls[0], answer);
  CHECK(f.out.await(1).body == "from the actor");
  REQUIRE(f.block.await_entered(1));  // the waiting call got the slot, on a worker
  f.block.release();
  CHECK(f.out.await(2).code == 0);
}

TEST_CASE("a dropped call is answered 503 rather than never") {
  fixture f{1};
  f.gate->accept(call("Actor"), f.out.sink(1));
  REQUIRE(f.actor_calls.size() == 1);
  f.actor_calls.clear();  // the launcher's target is gone with the call
  CHECK(f.out.await(1).code == 503);
}
