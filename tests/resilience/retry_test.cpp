// Retries across processes: a 503 from a draining node is retried on another node unless the
// user's retry policy says no; a 408 is retried only when the call opts in.
#include <signal.h>

#include <mutex>

#include <catch2/catch.hpp>

#include "resilience_helpers.hpp"

using namespace micro::test;
using Catch::Matchers::Contains;

TEST_CASE("retry: a draining node's 503 is retried on another node unless the retry policy says no",
          "[resilience][retry]") {
  // D drains (SIGTERM with a 4 s call in flight) and answers every new call with 503; H is healthy.
  auto c = start_cluster(unique_service("drain"), 2);
  auto& draining = c.nodes[0];
  auto& healthy = c.nodes[1];
  auto client = cluster_client(c);
  micro::result<json> slow = micro::errors::internal_server_error("test", "not run");
  joining_thread sleeper{[&] {
    slow = client->call<json>(c.name, "Test.Sleep", json{{"ms", 4000}},
                              micro::call_options{}.with_address(draining.address).with_timeout(10s));
  }};
  REQUIRE(wait_sleepers(draining, 1));
  REQUIRE(draining.proc->signal(SIGTERM));
  // Until D refuses (observable; no retry, no other node).
  micro::error refusal;
  auto until = steady_clock::now() + 5s;
  while (refusal.code != 503 && steady_clock::now() < until) {
    auto r = client->call<json>(c.name, "Test.Whoami", json::object(),
                                micro::call_options{}.with_address(draining.address).with_retries(0));
    if (!r)
      refusal = r.error();
  }
  INFO("D's refusal: " << refusal.to_json());
  REQUIRE(refusal.code == 503);
  CHECK_THAT(refusal.detail, Contains("shutting down"));

  // Roundrobin: D is the first choice of at least every other call (while its circuit is
  // closed: fewer than 5 failures in a row below, the marks being reset before each part).
  const auto rr = micro::call_options{}.with_strategy(micro::strategy::roundrobin);

  {  // A policy that never retries: D's 503 reaches the caller, exactly for the calls it got.
    client->reset_marks(c.name);
    int refused = 0, ok = 0;
    for (int i = 0; i < 4; ++i) {
      auto r = whoami(*client, c.name, micro::call_options(rr).with_retry_policy([](const micro::retry_info&) { return false; }));
      if (r) {
        ++ok;
        CHECK(*r == healthy.address);
      } else {
        ++refused;
        INFO(r.error().to_json());
        CHECK(r.error().code == 503);
        CHECK_THAT(r.error().detail, Contains("shutting down"));
      }
    }
    CHECK(refused == 2);
    CHECK(ok == 2);
  }
  {  // The default policy retries the 503 on H: every call succeeds.
    client->reset_marks(c.name);
    for (int i = 0; i < 4; ++i) {
      auto r = whoami(*client, c.name, rr);
      INFO("call " << i << ": " << (r ? *r : r.error().to_json()));
      REQUIRE(r.ok());
      CHECK(*r == healthy.address);
    }
  }
  {  // What a policy is told: attempt 1 failed as `refused` with D's 503.
    client->reset_marks(c.name);
    std::mutex m;
    std::vector<micro::retry_info> told;
    auto recording = [&](const micro::retry_info& info) {
      {
        std::lock_guard<std::mutex> guard{m};
        told.push_back(info);
      }
      return micro::default_retry_policy(info);
    };
    for (int i = 0; i < 4; ++i) {
      auto r = whoami(*client, c.name, micro::call_options(rr).with_retry_policy(recording));
      INFO("call " << i << ": " << (r ? *r : r.error().to_json()));
      REQUIRE(r.ok());
    }
    std::lock_guard<std::mutex> guard{m};
    // D is the first choice of at least every other call (of every call once it was: a retry
    // moves the roundrobin turn on too).
    CHECK(told.size() >= 2);
    CHECK(told.size() <= 4);
    for (auto& info : told) {
      INFO(info.error.to_json());
      CHECK(info.attempt == 1);
      CHECK(info.kind == micro::failure_kind::refused);
      CHECK(info.error.code == 503);
      CHECK_FALSE(info.idempotent);  // the static registry knows no endpoints
    }
  }
  draining.proc->kill();  // ends the sleeper's call at once (503)
  sleeper.join();
  CHECK_FALSE(slow.ok());
}

// X and Y are nodes of `front`; each calls its own `back` node (Test.Chain) with a 100 ms timeout:
// X's is slow (TEST_DELAY_MS=300), so X answers 408 after 100 ms, well inside the caller's 3 s.
TEST_CASE("retry: a node's 408 is retried on another node only with retry_on_timeout", "[resilience][retry]") {
  server_config slow_cfg{unique_service("back")};
  slow_cfg.env["TEST_DELAY_MS"] = "300";
  auto slow_back = start_test_server(slow_cfg);
  auto fast_back = start_test_server({slow_cfg.name});
  const auto front = unique_service("front");
  cluster c;
  c.name = front;
  c.nodes.push_back(start_test_server({front, slow_back.entry()}));
  c.nodes.push_back(start_test_server({front, fast_back.entry()}));
  auto& x = c.nodes[0];
  auto& y = c.nodes[1];
  auto client = cluster_client(c);
  const json body{{"service", slow_cfg.name}, {"endpoint", "Test.Whoami"}, {"timeout_ms", 100}, {"tag", "t"}};
  // X's connection to its back node and Y's to its own, made first.
  for (auto* n : {&x, &y}) {
    auto warm = client->call<json>(front, "Test.Chain",
                                   json{{"service", slow_cfg.name}, {"endpoint", "Test.Count"}, {"tag", "warm"}},
                                   micro::call_options{}.with_address(n->address));
    INFO((warm ? "" : warm.error().to_json()));
    REQUIRE(warm.ok());
  }
  auto timeouts_at_x = [&] {
    auto log = client->call<json>(front, "Test.Log", json::object(), micro::call_options{}.with_address(x.address));
    REQUIRE(log.ok());
    int n = 0;
    for (auto& ev : *log)
      n += ev.value("event", "") == "chain" && ev.value("tag", "") == "t" && ev.value("code", 0) == 408;
    return n;
  };
  const auto opts = micro::call_options{}.with_strategy(micro::strategy::roundrobin).with_timeout(3s);

  {  // Without the opt-in, X's 408 reaches the caller: every other call (roundrobin, no retries).
    client->reset_marks(front);
    int timed_out = 0;
    for (int i = 0; i < 4; ++i) {
      auto t0 = steady_clock::now();
      auto r = client->call<json>(front, "Test.Chain", body, opts);
      if (r) {
        CHECK(r->at("reply").value("address", "") == fast_back.address);
      } else {
        ++timed_out;
        INFO(r.error().to_json());
        CHECK(r.error().code == 408);
        CHECK(ms_since(t0) < 1000);  // X's 100 ms, not the caller's 3 s
      }
    }
    CHECK(timed_out == 2);
    CHECK(timeouts_at_x() == 2);
  }
  {  // With it, the call goes on to Y and succeeds.
    client->reset_marks(front);
    auto before = timeouts_at_x();
    for (int i = 0; i < 4; ++i) {
      auto r = client->call<json>(front, "Test.Chain", body, micro::call_options(opts).with_retry_on_timeout());
      INFO("call " << i << ": " << (r ? r->dump() : r.error().to_json()));
      REQUIRE(r.ok());
      CHECK(r->at("reply").value("address", "") == fast_back.address);
    }
    CHECK(timeouts_at_x() > before);  // X was tried and timed out, and the calls still succeeded
  }
}

// There is no per-attempt timeout: an attempt may use all the time left, so a 408 the client
// itself declares (no answer in time) leaves nothing for a retry. retry_on_timeout then changes
// nothing, and above all never takes the call past its deadline.
TEST_CASE("retry: retry_on_timeout never takes a call past its deadline", "[resilience][retry]") {
  auto c = start_cluster(unique_service("slowt"), 2, [](int i, server_config& cfg) {
    if (i == 0)
      cfg.env["TEST_DELAY_MS"] = "1000";
  });
  auto client = cluster_client(c);
  const auto opts = micro::call_options{}
                      .with_strategy(micro::strategy::roundrobin)
                      .with_timeout(300ms)
                      .with_retry_on_timeout()
                      .with_retries(3);
  int timed_out = 0;
  for (int i = 0; i < 2; ++i) {
    auto t0 = steady_clock::now();
    auto r = whoami(*client, c.name, opts);
    auto elapsed = ms_since(t0);
    if (r) {
      CHECK(*r == c.nodes[1].address);
    } else {
      ++timed_out;
      INFO(r.error().to_json() << " after " << elapsed << " ms");
      CHECK(r.error().code == 408);
      CHECK(elapsed >= 250);
      CHECK(elapsed < 300 + 500);
    }
  }
  CHECK(timed_out == 1);
}

TEST_CASE("retry: with an attempt timeout a slow node's 408 is retried on another node in time",
          "[resilience][retry]") {
  auto c = start_cluster(unique_service("attempt"), 2, [](int i, server_config& cfg) {
    if (i == 0)
      cfg.env["TEST_DELAY_MS"] = "1000";
  });
  auto client = cluster_client(c);
  const auto base = micro::call_options{}
                      .with_strategy(micro::strategy::roundrobin)
                      .with_timeout(1500ms)
                      .with_attempt_timeout(200ms);
  // Roundrobin sends one of the two calls to the slow node first: with the opt-in its attempt
  // times out after 200 ms and the retry reaches the fast node well inside the 1500 ms deadline.
  for (int i = 0; i < 2; ++i) {
    auto t0 = steady_clock::now();
    auto r = whoami(*client, c.name, micro::call_options{base}.with_retry_on_timeout());
    auto elapsed = ms_since(t0);
    INFO((r ? *r : r.error().to_json()) << " after " << elapsed << " ms");
    REQUIRE(r);
    CHECK(*r == c.nodes[1].address);
    CHECK(elapsed < 1000);
  }
  // Without the opt-in, the slow node's attempt ends the call with its 408.
  int timed_out = 0;
  for (int i = 0; i < 2; ++i) {
    auto r = whoami(*client, c.name, base);
    if (!r) {
      ++timed_out;
      CHECK(r.error().code == 408);
    }
  }
  CHECK(timed_out == 1);
}
