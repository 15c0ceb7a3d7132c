// A 200 ms deadline through a three-hop chain, caller -> A -> B -> C (Test.Chain twice). The
// two-hop forms (tests/integration/rpc_test.cpp: "deadline and metadata propagate through a
// nested call", "a request that expires while queued never runs its handler") are not repeated.
#include <catch2/catch.hpp>

#include "resilience_helpers.hpp"

using namespace micro::test;
using Catch::Matchers::Contains;

namespace {

constexpr auto deadline = 200ms;

struct chain {
  running_server a, b, c;
  std::unique_ptr<micro::client> client;
};

// C, then B (which calls C), then A (which calls B): each one's static registry names the next.
chain start_chain(std::vector<std::string> c_flags = {}) {
  chain ch;
  ch.c = start_test_server({"c", "", std::move(c_flags)});
  ch.b = start_test_server({"b", ch.c.entry()});
  ch.a = start_test_server({"a", ch.b.entry()});
  ch.client = make_client(ch.a.entry() + "," + ch.b.entry() + "," + ch.c.entry(), {&ch.a, &ch.b, &ch.c});
  // A's connection to B and B's to C, made here so that the test asserts on deadlines only.
  for (int attempt = 0;; ++attempt) {
    auto warm = ch.client->call<json>(
      "a", "Test.Chain",
      json{{"service", "b"}, {"endpoint", "Test.Chain"}, {"tag", "warm"},
           {"body", {{"service", "c"}, {"endpoint", "Test.Count"}, {"tag", "warm"}}}});
    if (warm.ok())
      break;
    INFO(warm.error().to_json());
    REQUIRE(dropped_before_handshake(warm.error()));
    REQUIRE(attempt < 5);
  }
  return ch;
}

// A's body for caller -> A -> B -> C `endpoint` with `body`; B waits `b_delay_ms` first.
json three_hops(const std::string& endpoint, json body, const std::string& tag, int b_delay_ms = 0) {
  return json{{"service", "b"},
              {"endpoint", "Test.Chain"},
              {"tag", tag + "-a"},
              {"body",
               {{"service", "c"}, {"endpoint", endpoint}, {"body", std::move(body)}, {"tag", tag + "-b"},
                {"delay_ms", b_delay_ms}}}};
}

}  // namespace

TEST_CASE("deadline: 200 ms through A to B to C whose handler is slower ends in 408 in about 200 ms",
          "[resilience][deadline]") {
  auto ch = start_chain();
  auto t0 = steady_clock::now();
  auto rsp = ch.client->call<json>("a", "Test.Chain", three_hops("Test.Sleep", {{"ms", 1500}}, "slow"),
                                   micro::call_options{}.with_timeout(deadline).with_metadata("trace-id", "t-3hop"));
  auto elapsed = ms_since(t0);
  REQUIRE_FALSE(rsp.ok());
  INFO(rsp.error().to_json() << " after " << elapsed << " ms");
  CHECK(rsp.error().code == 408);
  CHECK(elapsed >= 150);
  CHECK(elapsed < 1000);

  // C ran the sleep with what was left of the caller's 200 ms, and the caller's metadata.
  REQUIRE(wait_sleepers(ch.c, 1));
  auto log = ch.client->call<json>("c", "Test.Log", json::object());
  REQUIRE(log.ok());
  json sleep_run;
  for (auto& e : *log)
    if (e.value("endpoint", "") == "Test.Sleep")
      sleep_run = e;
  INFO("C's log: " << log->dump());
  REQUIRE(sleep_run.is_object());
  CHECK(sleep_run["remaining_ms"].get<long long>() > 0);
  CHECK(sleep_run["remaining_ms"].get<long long>() <= 200);
  CHECK(sleep_run["metadata"].value("trace-id", "") == "t-3hop");
  // A's and B's nested calls both ended with 408 within the deadline, not their own 5 s default.
  for (auto* hop : {"a", "b"}) {
    auto ev = wait_chain_event(*ch.client, hop, std::string{"slow-"} + hop);
    INFO(hop << "'s chain event: " << ev.dump());
    REQUIRE(ev.is_object());
    CHECK(ev["code"] == 408);
    CHECK(ev["elapsed_ms"].get<long long>() < 1000);
  }
}

TEST_CASE("deadline: a request that expires in C's queue three hops away never runs there",
          "[resilience][deadline]") {
  auto ch = start_chain({"--server_max_concurrency", "1"});
  auto runs_before = handler_runs(*ch.client, "c");
  REQUIRE(runs_before >= 0);
  // C's only handler slot is busy for 1.5 s.
  micro::result<json> busy = micro::errors::internal_server_error("test", "not run");
  joining_thread sleeper{[&] { busy = ch.client->call<json>("c", "Test.Sleep", json{{"ms", 1500}}); }};
  REQUIRE(wait_sleepers(ch.c, 1));

  auto t0 = steady_clock::now();
  auto rsp = ch.client->call<json>("a", "Test.Chain", three_hops("Test.Echo", {{"name", "late"}}, "queued"),
                                   micro::call_options{}.with_timeout(deadline));
  auto elapsed = ms_since(t0);
  REQUIRE_FALSE(rsp.ok());
  INFO(rsp.error().to_json() << " after " << elapsed << " ms");
  CHECK(rsp.error().code == 408);
  CHECK(elapsed >= 150);
  CHECK(elapsed < 1000);

  sleeper.join();
  REQUIRE(busy.ok());
  // Only the sleep ran in C: the queued Test.Echo was dropped when its slot came, expired.
  CHECK(handler_runs(*ch.client, "c") == runs_before + 1);
  auto log = ch.client->call<json>("c", "Test.Log", json::object());
  REQUIRE(log.ok());
  for (auto& e : *log) {
    INFO(e.dump());
    CHECK(e.value("endpoint", "") != "Test.Echo");
  }
}

TEST_CASE("deadline: when B is still busy at the deadline C is never called", "[resilience][deadline]") {
  auto ch = start_chain();
  auto runs_before = handler_runs(*ch.client, "c");
  REQUIRE(runs_before >= 0);
  auto t0 = steady_clock::now();
  // B spends 300 ms before it calls C: the 200 ms are over by then.
  auto rsp = ch.client->call<json>("a", "Test.Chain", three_hops("Test.Echo", {{"name", "late"}}, "expired", 300),
                                   micro::call_options{}.with_timeout(deadline));
  auto elapsed = ms_since(t0);
  REQUIRE_FALSE(rsp.ok());
  INFO(rsp.error().to_json() << " after " << elapsed << " ms");
  CHECK(rsp.error().code == 408);
  CHECK(elapsed >= 150);
  CHECK(elapsed < 1000);

  // B's nested call failed at once, without reaching C, and said why.
  auto ev = wait_chain_event(*ch.client, "b", "expired-b");
  INFO("B's chain event: " << ev.dump());
  REQUIRE(ev.is_object());
  CHECK(ev["code"] == 408);
  CHECK(ev["elapsed_ms"].get<long long>() < 50);
  CHECK_THAT(ev["detail"].get<std::string>(), Contains("expired before calling c"));
  CHECK(handler_runs(*ch.client, "c") == runs_before);
}
