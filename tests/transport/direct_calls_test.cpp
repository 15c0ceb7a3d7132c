// The client's direct path (actors/direct_calls.hpp) against nodes on the memory transport that
// answer, refuse, hold or never exist: each call completes exactly once, also when its answer
// comes after its timeout or after the path is gone (run under ASan: a late completion must
// touch nothing freed).
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <vector>

#include <catch2/catch.hpp>

#include "actors/direct_calls.hpp"
#include "actors/wire_body.hpp"
#include "helpers.hpp"

namespace {

using namespace std::chrono_literals;
using micro::actors::call_carrier;
using micro::actors::call_plan;
using micro::actors::direct_calls;
using micro::actors::outcome_handler;
using micro::actors::request;
using micro::actors::response;
using micro::actors::shared_selector;
namespace mt = micro::transport;

// A node on the memory transport: answers "ok:<body>", refuses with 503 while `refusing` > 0
// (counting down), and holds every request while `holding` (released by release()).
struct node {
  explicit node(const std::string& name) {
    t = mt::make_transport("memory").value;
    mt::connection_handlers h;
    h.on_frame = [this](const mt::connection_ptr& c, mt::frame&& f) {
      if (f.kind != mt::frame_kind::request)
        return;
      std::lock_guard lock{mutex};
      ++requests;
      if (holding) {
        held.emplace_back(c, f.id);
        changed.notify_all();
        return;
      }
      request req;
      REQUIRE(micro::actors::decode_request(f.body, req).ok());
      response rsp;
      if (refusing > 0) {
        --refusing;
        rsp = micro::actors::make_error_response(503, "test", "refused");
      } else {
        rsp.body = "ok:" + req.body;
      }
      answer(c, f.id, rsp);
      changed.notify_all();
    };
    auto l = t->listen(name, h);
    REQUIRE(l.ok());
    listener = std::move(l.value);
  }
  static void answer(const mt::connection_ptr& c, uint64_t id, const response& rsp) {
    mt::frame out{mt::frame_kind::response, 0, id, {}};
    micro::actors::encode_response(rsp, out.body);
    c->send(std::move(out));
  }
  // Answers every held request now.
  void release() {
    std::lock_guard lock{mutex};
    response rsp;
    rsp.body = "late";
    for (auto& [c, id] : held)
      answer(c, id, rsp);
    held.clear();
  }
  bool wait_held(std::size_t n) {
    std::unique_lock lock{mutex};
    return changed.wait_for(lock, 5s, [&] { return held.size() >= n; });
  }
  std::string address() const { return listener->address(); }

  std::shared_ptr<mt::transport> t;
  std::unique_ptr<mt::listener> listener;
  std::mutex mutex;
  std::condition_variable changed;
  int requests = 0;
  int refusing = 0;
  bool holding = false;
  std::vector<std::pair<mt::connection_ptr, uint64_t>> held;
};

// Completions, counted: a second one for the same call is a bug.
struct outcomes {
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<response> got;
  direct_calls::completion sink() {
    return [this](response rsp) {
      std::lock_guard lock{mutex};
      got.push_back(std::move(rsp));
      changed.notify_all();
    };
  }
  response wait_one() {
    std::unique_lock lock{mutex};
    REQUIRE(changed.wait_for(lock, 5s, [&] { return !got.empty(); }));
    return got.front();
  }
  std::size_t count() {
    std::lock_guard lock{mutex};
    return got.size();
  }
};

call_plan plan_for(const std::vector<std::string>& memory_nodes, std::size_t retries = 0) {
  call_plan p;
  for (auto& n : memory_nodes) {
    p.candidates.push_back("node-" + n);
    p.routes["node-" + n] = micro::actors::node_route{"memory", n};
  }
  p.strategy = micro::actors::strategy::roundrobin;
  p.retries = retries;
  p.backoff = 1ms;
  p.retry = [](const micro::actors::failed_attempt&) { return true; };
  return p;
}

request make_request(std::chrono::nanoseconds timeout, const std::string& body = "hi") {
  request r;
  r.service = "svc";
  r.endpoint = "Svc.Echo";
  r.body = body;
  r.timeout_ns = timeout.count();
  return r;
}

std::string unique(const std::string& base) {
  static std::atomic<int> n{0};
  return base + "-" + std::to_string(++n);
}

}  // namespace

TEST_CASE("direct path: a call is answered from the transport's thread", "[direct]") {
  node a{unique("direct-a")};
  direct_calls direct{std::make_shared<shared_selector>(), {}};
  outcomes out;
  direct.call(plan_for({a.address()}), make_request(5s), out.sink());
  auto rsp = out.wait_one();
  CHECK(rsp.code == 0);
  CHECK(rsp.body == "ok:hi");
  CHECK(out.count() == 1);
}

TEST_CASE("direct path: without a caf carrier, a plan it takes has a byte-transport route for every candidate",
          "[direct]") {
  direct_calls direct{std::make_shared<shared_selector>(), {}};
  auto p = plan_for({"x", "y"});
  CHECK(direct.takes(p));
  p.candidates.push_back("127.0.0.1:1");  // a CAF node
  CHECK_FALSE(direct.takes(p));
  CHECK_FALSE(direct.takes(call_plan{}));
}

// Stands in for the caf carrier: records what it is given, answers nothing by itself.
struct recording_carrier : call_carrier {
  std::vector<std::pair<std::string, uint64_t>>* sent;
  std::vector<uint64_t>* forgotten;
  void call(const std::string& address, uint64_t id, const request&) override { sent->emplace_back(address, id); }
  void forget(uint64_t id) override { forgotten->push_back(id); }
};

TEST_CASE("direct path: with a caf carrier it takes every plan with candidates, and unrouted ones go to the carrier",
          "[direct]") {
  std::vector<std::pair<std::string, uint64_t>> sent;
  std::vector<uint64_t> forgotten;
  direct_calls direct{std::make_shared<shared_selector>(), {}, [&](outcome_handler) {
                        auto c = std::make_unique<recording_carrier>();
                        c->sent = &sent;
                        c->forgotten = &forgotten;
                        return c;
                      }};
  call_plan p;
  p.candidates = {"127.0.0.1:1"};
  CHECK(direct.takes(p));
  CHECK_FALSE(direct.takes(call_plan{}));
  // The carrier never answers: the attempt's timeout ends the call with 408 and tells the
  // carrier to forget the attempt (it might still be waiting for its node's connection).
  outcomes out;
  direct.call(p, make_request(50ms), out.sink());
  auto rsp = out.wait_one();
  CHECK(rsp.code == 408);
  REQUIRE(sent.size() == 1);
  CHECK(sent[0].first == "127.0.0.1:1");
  REQUIRE(forgotten.size() == 1);
  CHECK(forgotten[0] == sent[0].second);
}

TEST_CASE("direct path: nothing delivered moves to the next node without a retry", "[direct]") {
  node b{unique("direct-b")};
  direct_calls direct{std::make_shared<shared_selector>(), {}};
  outcomes out;
  // Round robin over a sorted pool starts with "node-direct-a-missing...", which no listener has.
  auto p = plan_for({unique("direct-a-missing"), b.address()});
  direct.call(std::move(p), make_request(5s), out.sink());
  auto rsp = out.wait_one();
  CHECK(rsp.code == 0);
  CHECK(rsp.body == "ok:hi");
}

TEST_CASE("direct path: a refusal is retried as the plan says", "[direct]") {
  node a{unique("direct-a")};
  a.refusing = 1;
  direct_calls direct{std::make_shared<shared_selector>(), {}};
  SECTION("with a retry left: the second attempt answers") {
    outcomes out;
    direct.call(plan_for({a.address()}, 1), make_request(5s), out.sink());
    CHECK(out.wait_one().code == 0);
    std::lock_guard lock{a.mutex};
    CHECK(a.requests == 2);
  }
  SECTION("without: the caller gets the node's 503") {
    outcomes out;
    direct.call(plan_for({a.address()}, 0), make_request(5s), out.sink());
    auto rsp = out.wait_one();
    CHECK(rsp.code == 503);
    CHECK(rsp.detail == "refused");
  }
}

TEST_CASE("direct path: an answer after the timeout completes nothing twice", "[direct]") {
  node a{unique("direct-a")};
  a.holding = true;
  direct_calls direct{std::make_shared<shared_selector>(), {}};
  outcomes out;
  direct.call(plan_for({a.address()}), make_request(50ms), out.sink());
  auto rsp = out.wait_one();
  CHECK(rsp.code == 408);
  REQUIRE(a.wait_held(1));
  a.release();  // the late answer arrives on the transport's thread: dropped
  // A second call on the same connection proves the late answer was processed and dropped.
  {
    std::lock_guard lock{a.mutex};
    a.holding = false;
  }
  outcomes second;
  direct.call(plan_for({a.address()}), make_request(5s), second.sink());
  CHECK(second.wait_one().code == 0);
  CHECK(out.count() == 1);
}

TEST_CASE("direct path: going away ends the calls under way with 503, once", "[direct]") {
  node a{unique("direct-a")};
  a.holding = true;
  outcomes out;
  {
    direct_calls direct{std::make_shared<shared_selector>(), {}};
    direct.call(plan_for({a.address()}), make_request(5s), out.sink());
    REQUIRE(a.wait_held(1));
  }
  REQUIRE(out.count() == 1);
  CHECK(out.wait_one().code == 503);
  a.release();  // answers a connection whose client is gone
  CHECK(out.count() == 1);
}

TEST_CASE("direct path: no time left is a 408 before anything is sent", "[direct]") {
  node a{unique("direct-a")};
  direct_calls direct{std::make_shared<shared_selector>(), {}};
  outcomes out;
  direct.call(plan_for({a.address()}), make_request(0ns), out.sink());
  CHECK(out.wait_one().code == 408);
  std::lock_guard lock{a.mutex};
  CHECK(a.requests == 0);
}
