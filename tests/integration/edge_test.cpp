// Less common paths: several nodes, frozen peers, drain bounds, big bodies, many calls.
#include <signal.h>

#include <atomic>
#include <vector>

#include <catch2/catch.hpp>

#include "greeter.pb.h"
#include "harness.hpp"

using namespace micro::test;

namespace {

greeter::Request named(std::string name) {
  greeter::Request req;
  req.set_name(std::move(name));
  return req;
}

}  // namespace

TEST_CASE("a node that refuses connections is skipped for the next candidate", "[integration][edge]") {
  auto dead = start_test_server();
  auto dead_address = dead.address;
  dead.proc->kill();
  auto alive = start_test_server();
  auto client = make_client("test=" + dead_address + "," + alive.entry(), {&alive});
  for (int i = 0; i < 10; ++i) {
    auto rsp = client->call<greeter::Response>("test", "Test.Echo", named("n" + std::to_string(i)));
    INFO("call " << i << ": " << (rsp ? "" : rsp.error().to_json()));
    REQUIRE(rsp.ok());
    CHECK(rsp->msg() == "Hello n" + std::to_string(i));
  }
  CHECK(handler_runs(*client, "test") == 10);
}

TEST_CASE("a frozen server does not stall calls to another server", "[integration][edge]") {
  auto frozen = start_test_server({"frozen"});
  auto healthy = start_test_server({"healthy"});
  auto client = make_client(frozen.entry() + "," + healthy.entry(), {&frozen, &healthy});
  REQUIRE(client->call<greeter::Response>("frozen", "Test.Echo", named("x")).ok());
  std::vector<micro::result<json>> pending(1, micro::errors::internal_server_error("test", "not run"));
  joining_thread sleeper{[&] { pending[0] = client->call<json>("frozen", "Test.Sleep", json{{"ms", 3000}}); }};
  REQUIRE(wait_sleepers(frozen, 1));
  REQUIRE(frozen.proc->freeze());
  auto t0 = steady_clock::now();
  for (int i = 0; i < 5; ++i) {
    auto rsp = client->call<greeter::Response>("healthy", "Test.Echo", named("h"));
    INFO((rsp ? "" : rsp.error().to_json()));
    REQUIRE(rsp.ok());
  }
  CHECK(ms_since(t0) < 500);
  sleeper.join();
  REQUIRE_FALSE(pending[0].ok());
  frozen.proc->signal(SIGCONT);
}

TEST_CASE("a call to a server frozen before the first connection fails in about its timeout", "[integration][edge]") {
  auto frozen = start_test_server();
  REQUIRE(frozen.proc->freeze());
  auto client = make_client(frozen.entry());  // no connect_to: connecting is what is tested
  auto t0 = steady_clock::now();
  auto rsp = client->call<greeter::Response>("test", "Test.Echo", named("x"), micro::call_options{}.with_timeout(1500ms));
  auto elapsed = ms_since(t0);
  REQUIRE_FALSE(rsp.ok());
  INFO(rsp.error().to_json());
  CHECK((rsp.error().code == 408 || rsp.error().code == 503));
  CHECK(elapsed < 1500 + 1500);
  frozen.proc->signal(SIGCONT);
  // Once it runs again, it serves again, soon. (Right after SIGCONT a call can still fail with
  // 503: the server first works off what queued up while frozen, the dropped connection included.)
  std::vector<std::string> errors;
  auto until = steady_clock::now() + 5s;
  bool served = false;
  while (!served && steady_clock::now() < until) {
    auto back = client->call<greeter::Response>("test", "Test.Echo", named("y"), micro::call_options{}.with_timeout(2000ms));
    served = back.ok() && back->msg() == "Hello y";
    if (!back.ok()) {
      errors.push_back(back.error().to_json());
      CHECK(back.error().code == 503);
    }
  }
  INFO("failed calls after SIGCONT: " << errors.size());
  for (auto& e : errors)
    UNSCOPED_INFO(e);
  CHECK(served);
  CHECK(errors.size() <= 3);
}

TEST_CASE("the drain bound cuts a long call short at shutdown", "[integration][edge][lifecycle]") {
  server_config cfg;
  cfg.env["MICRO_SERVER_DRAIN_TIMEOUT"] = "300ms";
  auto srv = start_test_server(cfg);
  auto client = make_client(srv);
  micro::result<json> slow = micro::errors::internal_server_error("test", "not run");
  steady_clock::time_point slow_done;
  joining_thread sleeper{[&] {
    slow = client->call<json>("test", "Test.Sleep", json{{"ms", 4000}});
    slow_done = steady_clock::now();
  }};
  REQUIRE(wait_sleepers(srv, 1));
  auto t0 = steady_clock::now();
  REQUIRE(srv.proc->signal(SIGTERM));
  auto exit = srv.proc->wait(10s);
  auto exit_ms = ms_since(t0);
  INFO("server output:\n" << srv.proc->transcript());
  REQUIRE(exit.has_value());
  CHECK(exit->exited);
  CHECK(exit->code == 0);  // a drain that hits its bound is still a requested, clean stop
  CHECK(exit_ms < 300 + 2000);
  sleeper.join();
  REQUIRE_FALSE(slow.ok());
  INFO(slow.error().to_json());
  CHECK(slow.error().code == 503);
  CHECK(std::chrono::duration_cast<milliseconds>(slow_done - t0).count() < 300 + 2000);
}

TEST_CASE("big bodies cross in both directions", "[integration][edge]") {
  auto srv = start_test_server();
  auto client = make_client(srv);
  for (std::size_t size : {std::size_t{64} << 10, std::size_t{1} << 20, std::size_t{8} << 20}) {
    std::string name(size, 'x');
    auto rsp = client->call<greeter::Response>("test", "Test.Echo", named(name));
    INFO("size " << size << ": " << (rsp ? "" : rsp.error().to_json()));
    REQUIRE(rsp.ok());
    CHECK(rsp->msg().size() == size + 6);
  }
}

TEST_CASE("content types are matched without case and parameters", "[integration][edge][codec]") {
  auto srv = start_test_server();
  auto client = make_client(srv);
  micro::raw_message req;
  req.content_type = "Application/JSON; charset=utf-8";
  req.body = R"({"name":"John"})";
  req.accept = "application/json";
  auto rsp = client->call_raw({}, "test", "Test.Echo", req);
  INFO((rsp ? "" : rsp.error().to_json()));
  REQUIRE(rsp.ok());
  CHECK(json::parse(rsp->body) == json{{"msg", "Hello John"}});
}

TEST_CASE("many concurrent calls from many threads all succeed", "[integration][edge][concurrency]") {
  auto srv = start_test_server();
  auto client = make_client(srv);
  constexpr int threads = 16, per_thread = 50;
  std::atomic<int> ok{0};
  std::vector<std::string> failures(threads);
  {
    std::vector<joining_thread> callers;
    for (int t = 0; t < threads; ++t)
      callers.emplace_back([&, t] {
        for (int i = 0; i < per_thread; ++i) {
          auto name = std::to_string(t) + "-" + std::to_string(i);
          auto rsp = client->call<greeter::Response>("test", "Test.Echo", named(name));
          if (rsp && rsp->msg() == "Hello " + name)
            ++ok;
          else if (failures[t].empty())
            failures[t] = rsp ? rsp->msg() : rsp.error().to_json();
        }
      });
  }
  for (auto& f : failures)
    CHECK(f.empty());
  CHECK(ok == threads * per_thread);
  CHECK(handler_runs(*client, "test") == threads * per_thread);
}

// Debug.Health and Debug.Stats run outside the handler limit: a busy node is not a dead one.
TEST_CASE("Debug.Health and Debug.Stats answer while every handler slot is busy", "[integration][edge][debug]") {
  auto srv = start_test_server({"test", "", {"--server_max_concurrency", "1"}});
  auto client = make_client(srv);
  micro::result<json> slow = micro::errors::internal_server_error("test", "not run");
  joining_thread sleeper{[&] { slow = client->call<json>("test", "Test.Sleep", json{{"ms", 2000}}); }};
  REQUIRE(wait_sleepers(srv, 1));
  micro::raw_message req;
  req.content_type = req.accept = "application/json";
  req.body = "{}";
  auto health = client->call_raw({}, "test", "Debug.Health", req, micro::call_options{}.with_timeout(500ms));
  INFO((health ? health->body : health.error().to_json()));
  REQUIRE(health.ok());
  CHECK(json::parse(health->body).at("status") == "ok");
  auto stats = client->call<json>("test", "Debug.Stats", json::object(), micro::call_options{}.with_timeout(500ms));
  INFO((stats ? stats->dump() : stats.error().to_json()));
  REQUIRE(stats.ok());
  CHECK(stats->at("in_flight") == 1);  // the sleep
  sleeper.join();
  REQUIRE(slow.ok());
}

// Hidden ([.]): the same CAF 0.17 issue, deterministically. A peer that never answers the
// handshake should be dropped after the connection timeout (1 s here); it is dropped at the
// next heartbeat tick (~100 ms), because the new connection's `last_seen` was never set.
TEST_CASE("an unanswered handshake is dropped after the connection timeout, not at the next tick",
          "[.][known-issue][connect]") {
  auto frozen = start_test_server();
  REQUIRE(frozen.proc->freeze());
  auto client = make_client(frozen.entry());
  auto t0 = steady_clock::now();
  auto rsp = client->call<greeter::Response>("test", "Test.Echo", named("x"), micro::call_options{}.with_timeout(3000ms));
  auto elapsed = ms_since(t0);
  REQUIRE_FALSE(rsp.ok());
  INFO(rsp.error().to_json() << " after " << elapsed << " ms");
  CHECK(elapsed >= 900);
  frozen.proc->signal(SIGCONT);
}

// A CAF 0.17 issue, measured: an outgoing BASP connection gets no `last_seen` until the peer's
// handshake arrives, so a heartbeat tick that falls between connect and handshake drops it as
// "connection_timeout" (about 1 in 100 with a 100 ms heartbeat). The client actor retries such a
// connect once; this checks that no first call to a fresh node fails because of it.
TEST_CASE("first calls to fresh nodes never fail with connection_timeout", "[connect]") {
  auto client = make_client("unused=127.0.0.1:9");
  int dropped = 0;
  constexpr int nodes = 100;
  for (int i = 0; i < nodes; ++i) {
    auto srv = start_test_server();
    auto rsp = client->call<greeter::Response>("test", "Test.Echo", named("x"),
                                               micro::call_options{}.with_address(srv.address));
    if (!rsp.ok() && rsp.error().detail.find("connection_timeout") != std::string::npos)
      ++dropped;
    else
      REQUIRE(rsp.ok());
  }
  INFO(dropped << " of " << nodes << " first connections dropped before their handshake");
  CHECK(dropped == 0);
}
