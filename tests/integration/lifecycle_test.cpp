// Servers that stop, die or freeze while calls are in flight.
#include <signal.h>

#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "greeter.pb.h"
#include "harness.hpp"

using namespace micro::test;

namespace {

struct timed_result {
  micro::result<json> value = micro::errors::internal_server_error("test", "not run");
  steady_clock::time_point done;
};

// Starts `n` Test.Sleep calls of `ms` on their own threads.
std::vector<joining_thread> start_sleepers(micro::client& c, std::vector<timed_result>& out, int ms,
                                        micro::call_options opts = {}) {
  std::vector<joining_thread> threads;
  for (auto& slot : out)
    threads.emplace_back([&c, &slot, ms, opts] {
      slot.value = c.call<json>("test", "Test.Sleep", json{{"ms", ms}}, opts);
      slot.done = steady_clock::now();
    });
  return threads;
}

}  // namespace

TEST_CASE("SIGTERM drains the call in flight then refuses new calls and exits 0", "[integration][lifecycle]") {
  auto srv = start_test_server();
  auto client = make_client(srv);
  std::vector<timed_result> slow(1);
  auto threads = start_sleepers(*client, slow, 1000);
  REQUIRE(wait_sleepers(srv, 1));
  REQUIRE(srv.proc->signal(SIGTERM));

  // While it drains, new calls are refused with 503 (not left hanging, not a 408).
  greeter::Request req;
  req.set_name("during");
  micro::result<greeter::Response> refused = micro::errors::internal_server_error("test", "not run");
  auto until = steady_clock::now() + 10s;
  while (steady_clock::now() < until) {
    refused = client->call<greeter::Response>("test", "Test.Echo", req, micro::call_options{}.with_timeout(3000ms));
    if (!refused.ok())
      break;
  }
  for (auto& t : threads)
    t.join();
  REQUIRE_FALSE(refused.ok());
  INFO("refused: " << refused.error().to_json());
  CHECK(refused.error().code == 503);

  INFO("in-flight call: " << (slow[0].value ? slow[0].value->dump() : slow[0].value.error().to_json()));
  REQUIRE(slow[0].value.ok());
  CHECK(slow[0].value->at("slept_ms") == 1000);

  auto exit = srv.proc->wait(15s);
  INFO("server output:\n" << srv.proc->transcript());
  REQUIRE(exit.has_value());
  INFO("server " << exit->describe());
  CHECK(exit->exited);
  CHECK(exit->code == 0);

  // Nobody listens any more: a coded error, promptly.
  auto t0 = steady_clock::now();
  auto after = client->call<greeter::Response>("test", "Test.Echo", req, micro::call_options{}.with_timeout(3000ms));
  REQUIRE_FALSE(after.ok());
  INFO("after exit: " << after.error().to_json());
  CHECK(after.error().code == 503);
  CHECK(ms_since(t0) < 2000);
}

TEST_CASE("SIGKILL of a server fails its pending calls with 503 at once", "[integration][lifecycle]") {
  auto srv = start_test_server();
  auto client = make_client(srv);
  std::vector<timed_result> pending(3);
  auto threads = start_sleepers(*client, pending, 4000);  // default timeout: 5 s
  REQUIRE(wait_sleepers(srv, 3));
  auto killed_at = steady_clock::now();
  REQUIRE(srv.proc->signal(SIGKILL));
  for (auto& t : threads)
    t.join();
  for (auto& call : pending) {
    REQUIRE_FALSE(call.value.ok());
    INFO(call.value.error().to_json());
    CHECK(call.value.error().code == 503);
    CHECK(std::chrono::duration_cast<milliseconds>(call.done - killed_at).count() < 1500);
  }
  auto exit = srv.proc->wait(5s);
  REQUIRE(exit.has_value());
  CHECK(exit->signal == SIGKILL);
}

TEST_CASE("a frozen server (SIGSTOP) fails its pending calls promptly", "[integration][lifecycle]") {
  // heartbeat 100 ms and connection timeout 1 s on both sides (harness defaults).
  auto srv = start_test_server();
  auto client = make_client(srv);
  std::vector<timed_result> pending(2);
  auto threads = start_sleepers(*client, pending, 3000, micro::call_options{}.with_timeout(10s));
  REQUIRE(wait_sleepers(srv, 2));
  auto stopped_at = steady_clock::now();
  REQUIRE(srv.proc->freeze());
  for (auto& t : threads)
    t.join();
  for (auto& call : pending) {
    REQUIRE_FALSE(call.value.ok());
    INFO(call.value.error().to_json());
    auto code = call.value.error().code;
    CHECK((code == 408 || code == 503));
    // Not the 10 s timeout, nor the 3 s sleep: the 1 s connection timeout plus slack.
    CHECK(std::chrono::duration_cast<milliseconds>(call.done - stopped_at).count() < 2800);
  }
  srv.proc->signal(SIGCONT);
  srv.proc->kill();
}

TEST_CASE("a server that comes back on a new port is reachable again", "[integration][lifecycle]") {
  auto first = start_test_server();
  auto client = make_client(first);
  greeter::Request req;
  req.set_name("one");
  REQUIRE(client->call<greeter::Response>("test", "Test.Echo", req).ok());
  first.proc->kill();
  auto gone = client->call<greeter::Response>("test", "Test.Echo", req, micro::call_options{}.with_timeout(3000ms));
  REQUIRE_FALSE(gone.ok());
  CHECK(gone.error().code == 503);

  auto second = start_test_server();
  auto client2 = make_client(second);
  auto back = client2->call<greeter::Response>("test", "Test.Echo", req);
  INFO((back ? "" : back.error().to_json()));
  REQUIRE(back.ok());
  CHECK(back->msg() == "Hello one");
}
