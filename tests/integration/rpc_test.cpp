// Calls across processes: codecs, error codes, deadlines, metadata, concurrency, Debug endpoints.
#include <atomic>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "greeter.pb.h"
#include "harness.hpp"

using namespace micro::test;

namespace {

micro::raw_message raw(std::string content_type, std::string body, std::string accept = {}) {
  micro::raw_message m;
  m.content_type = std::move(content_type);
  m.body = std::move(body);
  m.accept = std::move(accept);
  return m;
}

}  // namespace

TEST_CASE("a typed protobuf call crosses processes", "[integration][rpc]") {
  auto srv = start_test_server();
  auto client = make_client(srv);
  greeter::Request req;
  req.set_name("John");
  auto rsp = client->call<greeter::Response>("test", "Test.Echo", req);
  INFO((rsp ? "" : rsp.error().to_json()));
  REQUIRE(rsp.ok());
  CHECK(rsp->msg() == "Hello John");
  // The same connection serves a second call (the client actor caches it).
  req.set_name("Jane");
  auto again = client->call<greeter::Response>("test", "Test.Echo", req);
  REQUIRE(again.ok());
  CHECK(again->msg() == "Hello Jane");
}

TEST_CASE("an inline endpoint answers while every handler slot is busy and its exceptions are 500s",
          "[integration][rpc]") {
  server_config cfg;
  cfg.env["MICRO_SERVER_MAX_CONCURRENCY"] = "1";
  auto srv = start_test_server(cfg);
  auto client = make_client(srv);
  // The one slot is taken by a sleeping handler: a pooled endpoint would wait behind it, an
  // inline one runs on the service actor at once.
  joining_thread sleeper{[&] { client->call<json>("test", "Test.Sleep", json{{"ms", 1500}}); }};
  REQUIRE(wait_sleepers(srv, 1));
  auto t0 = steady_clock::now();
  auto rsp = client->call<json>("test", "Test.Inline", json{{"name", "a"}});
  REQUIRE(rsp.ok());
  CHECK(ms_since(t0) < 1000);
  auto boom = client->call<json>("test", "Test.Inline", json{{"name", "boom"}});
  REQUIRE_FALSE(boom.ok());
  CHECK(boom.error().code == 500);
  CHECK(boom.error().detail == "inline boom");
}

TEST_CASE("a JSON request reaches a protobuf handler and JSON comes back", "[integration][rpc][codec]") {
  auto srv = start_test_server();
  auto client = make_client(srv);
  auto rsp = client->call_raw({}, "test", "Test.Echo", raw("application/json", R"({"name":"John"})", "application/json"));
  INFO((rsp ? "" : rsp.error().to_json()));
  REQUIRE(rsp.ok());
  CHECK(rsp->content_type == "application/json");
  CHECK(json::parse(rsp->body) == json{{"msg", "Hello John"}});

  SECTION("protobuf in, JSON out") {
    greeter::Request req;
    req.set_name("Ann");
    std::string body;
    REQUIRE(req.SerializeToString(&body));
    auto mixed = client->call_raw({}, "test", "Test.Echo", raw("application/protobuf", body, "application/json"));
    REQUIRE(mixed.ok());
    CHECK(json::parse(mixed->body) == json{{"msg", "Hello Ann"}});
  }
  SECTION("a typed call with a JSON content type") {
    greeter::Request req;
    req.set_name("Bob");
    micro::call_options opts;
    opts.with_content_type("application/json");
    opts.accept = "application/json";
    auto typed = client->call<greeter::Response>("test", "Test.Echo", req, opts);
    REQUIRE(typed.ok());
    CHECK(typed->msg() == "Hello Bob");
  }
}

TEST_CASE("bad calls get coded errors", "[integration][rpc][errors]") {
  auto srv = start_test_server();
  // "other" is registered at the test server's address, which does not serve it.
  auto client = make_client(srv.entry() + ",other=" + srv.address, {&srv});
  auto json_echo = raw("application/json", R"({"name":"x"})", "application/json");

  SECTION("unknown service (not in the registry) -> 404") {
    auto rsp = client->call_raw({}, "nosuch", "Test.Echo", json_echo);
    REQUIRE_FALSE(rsp.ok());
    CHECK(rsp.error().code == 404);
    CHECK(rsp.error().status == "Not Found");
  }
  SECTION("service not served by the node at its address -> 404") {
    auto rsp = client->call_raw({}, "other", "Test.Echo", json_echo);
    REQUIRE_FALSE(rsp.ok());
    CHECK(rsp.error().code == 404);
    CHECK_THAT(rsp.error().detail, Catch::Contains("other"));
  }
  SECTION("unknown endpoint -> 404") {
    auto rsp = client->call_raw({}, "test", "Test.Nope", json_echo);
    REQUIRE_FALSE(rsp.ok());
    CHECK(rsp.error().code == 404);
    CHECK_THAT(rsp.error().detail, Catch::Contains("Test.Nope"));
  }
  SECTION("undecodable JSON body -> 400") {
    auto rsp = client->call_raw({}, "test", "Test.Echo", raw("application/json", "{not json", "application/json"));
    REQUIRE_FALSE(rsp.ok());
    CHECK(rsp.error().code == 400);
    CHECK(rsp.error().id == "micro.server");
  }
  SECTION("undecodable protobuf body -> 400") {
    // Field 1, length-delimited, claims 5 bytes but carries 2.
    auto rsp = client->call_raw({}, "test", "Test.Echo", raw("application/protobuf", std::string{"\x0a\x05" "ab", 4}));
    REQUIRE_FALSE(rsp.ok());
    CHECK(rsp.error().code == 400);
  }
  SECTION("unsupported content type -> 400") {
    auto rsp = client->call_raw({}, "test", "Test.Echo", raw("text/x-unknown", "name=x", "application/json"));
    REQUIRE_FALSE(rsp.ok());
    CHECK(rsp.error().code == 400);
  }
  SECTION("unsupported accept -> 400") {
    auto rsp = client->call_raw({}, "test", "Test.Echo", raw("application/json", R"({"name":"x"})", "text/x-unknown"));
    REQUIRE_FALSE(rsp.ok());
    CHECK(rsp.error().code == 400);
  }
  SECTION("a handler's exception -> 500 with its message") {
    auto rsp = client->call<json>("test", "Test.Throw", json::object());
    REQUIRE_FALSE(rsp.ok());
    CHECK(rsp.error().code == 500);
    CHECK(rsp.error().detail == "boom");
    CHECK(rsp.error().status == "Internal Server Error");
  }
  SECTION("a micro::error thrown by a handler arrives unchanged") {
    auto rsp = client->call<json>("test", "Test.Fail", json::object());
    REQUIRE_FALSE(rsp.ok());
    CHECK(rsp.error() == micro::errors::conflict("test.server", "already exists"));
  }
  // Whatever went wrong above, the server is still serving.
  greeter::Request req;
  req.set_name("after");
  auto ok = client->call<greeter::Response>("test", "Test.Echo", req);
  REQUIRE(ok.ok());
  CHECK(ok->msg() == "Hello after");
}

TEST_CASE("a slow handler times out with 408 in about the timeout", "[integration][rpc][deadline]") {
  auto srv = start_test_server();
  auto client = make_client(srv);
  auto t0 = steady_clock::now();
  auto rsp = client->call<json>("test", "Test.Sleep", json{{"ms", 3000}}, micro::call_options{}.with_timeout(500ms));
  auto elapsed = ms_since(t0);
  REQUIRE_FALSE(rsp.ok());
  CHECK(rsp.error().code == 408);
  CHECK(elapsed >= 450);
  CHECK(elapsed < 500 + 1500);
}

TEST_CASE("the server tells the handler how much time is left", "[integration][rpc][deadline]") {
  auto srv = start_test_server();
  auto client = make_client(srv);
  auto rsp = client->call<json>("test", "Test.Sleep", json{{"ms", 0}}, micro::call_options{}.with_timeout(2000ms));
  REQUIRE(rsp.ok());
  auto remaining = rsp->at("remaining_ms").get<long long>();
  CHECK(remaining > 0);
  CHECK(remaining <= 2000);
}

TEST_CASE("deadline and metadata propagate through a nested call", "[integration][rpc][deadline][metadata]") {
  auto b = start_test_server({"b"});
  auto a = start_test_server({"a", b.entry()});
  auto client = make_client(a.entry() + "," + b.entry(), {&a, &b});
  // A's first connection to B, made here so that the sections assert on propagation only.
  for (int attempt = 0;; ++attempt) {
    auto warm = client->call<json>("a", "Test.Chain", json{{"service", "b"}, {"endpoint", "Test.Count"}, {"tag", "warm"}});
    if (warm.ok())
      break;
    INFO(warm.error().to_json());
    REQUIRE(dropped_before_handshake(warm.error()));
    REQUIRE(attempt < 5);
  }

  SECTION("metadata set by the caller reaches B through A") {
    auto rsp = client->call<json>("a", "Test.Chain", json{{"service", "b"}, {"endpoint", "Test.Metadata"}, {"tag", "md"}},
                                  micro::call_options{}.with_metadata("trace-id", "t-123").with_metadata("user", "ann"));
    INFO((rsp ? rsp->dump() : rsp.error().to_json()));
    REQUIRE(rsp.ok());
    CHECK(rsp->at("reply").value("trace-id", "") == "t-123");
    CHECK(rsp->at("reply").value("user", "") == "ann");
  }

  SECTION("the nested call gets the caller's deadline, not its own default of 5 s") {
    auto t0 = steady_clock::now();
    auto rsp = client->call<json>("a", "Test.Chain",
                                  json{{"service", "b"}, {"endpoint", "Test.Sleep"}, {"body", {{"ms", 3000}}}, {"tag", "dl"}},
                                  micro::call_options{}.with_timeout(800ms).with_metadata("trace-id", "t-dl"));
    auto elapsed = ms_since(t0);
    REQUIRE_FALSE(rsp.ok());
    CHECK(rsp.error().code == 408);
    CHECK(elapsed < 800 + 1500);

    // A's nested call itself ended with 408, bounded by the caller's 800 ms.
    auto ev = wait_chain_event(*client, "a", "dl");
    INFO("chain event: " << ev.dump());
    REQUIRE(ev.is_object());
    CHECK(ev["code"] == 408);
    CHECK(ev["elapsed_ms"].get<long long>() < 800 + 1000);
    // B saw at most the caller's budget, and the caller's metadata.
    auto log = client->call<json>("b", "Test.Log", json::object());
    REQUIRE(log.ok());
    json sleep_run;
    for (auto& e : *log)
      if (e.value("endpoint", "") == "Test.Sleep")
        sleep_run = e;
    INFO("B's log: " << log->dump());
    REQUIRE(sleep_run.is_object());
    CHECK(sleep_run["remaining_ms"].get<long long>() > 0);
    CHECK(sleep_run["remaining_ms"].get<long long>() <= 800);
    CHECK(sleep_run["metadata"].value("trace-id", "") == "t-dl");
  }

  SECTION("a call whose deadline expired in A never runs a handler in B") {
    auto runs_before = handler_runs(*client, "b");
    REQUIRE(runs_before >= 0);
    auto rsp = client->call<json>(
      "a", "Test.Chain",
      json{{"service", "b"}, {"endpoint", "Test.Echo"}, {"body", {{"name", "late"}}}, {"delay_ms", 600}, {"tag", "late"}},
      micro::call_options{}.with_timeout(300ms));
    REQUIRE_FALSE(rsp.ok());
    CHECK(rsp.error().code == 408);
    auto ev = wait_chain_event(*client, "a", "late");
    INFO("chain event: " << ev.dump());
    REQUIRE(ev.is_object());
    CHECK(ev["code"] == 408);
    CHECK(handler_runs(*client, "b") == runs_before);
  }
}

TEST_CASE("a request that expires while queued never runs its handler", "[integration][rpc][deadline]") {
  auto srv = start_test_server({"test", "", {"--server_max_concurrency", "1"}});
  auto client = make_client(srv);
  micro::result<json> slow = micro::errors::internal_server_error("test", "not run");
  joining_thread sleeper{[&] { slow = client->call<json>("test", "Test.Sleep", json{{"ms", 1500}}); }};
  // (the server's stdout says when the sleep started: an event, not a guess)
  REQUIRE(wait_sleepers(srv, 1));
  greeter::Request req;
  req.set_name("queued");
  auto queued = client->call<greeter::Response>("test", "Test.Echo", req, micro::call_options{}.with_timeout(300ms));
  sleeper.join();
  REQUIRE_FALSE(queued.ok());
  CHECK(queued.error().code == 408);
  REQUIRE(slow.ok());
  CHECK(handler_runs(*client, "test") == 1);  // only the sleep ran
  auto after = client->call<greeter::Response>("test", "Test.Echo", req);
  REQUIRE(after.ok());
  CHECK(handler_runs(*client, "test") == 2);
}

TEST_CASE("fast calls complete while a slow handler runs", "[integration][rpc][concurrency]") {
  auto srv = start_test_server();
  auto client = make_client(srv);
  std::atomic<bool> slow_done{false};
  micro::result<json> slow = micro::errors::internal_server_error("test", "not run");
  joining_thread sleeper{[&] {
    slow = client->call<json>("test", "Test.Sleep", json{{"ms", 2000}});
    slow_done = true;
  }};
  REQUIRE(wait_sleepers(srv, 1));
  // Debug.Stats sees the sleeping call, not itself.
  REQUIRE(wait_in_flight(*client, "test", 1, 1s));
  auto t0 = steady_clock::now();
  std::vector<micro::result<greeter::Response>> fast(10, micro::errors::internal_server_error("test", "not run"));
  std::vector<joining_thread> callers;
  for (std::size_t i = 0; i < fast.size(); ++i)
    callers.emplace_back([&, i] {
      greeter::Request req;
      req.set_name("n" + std::to_string(i));
      fast[i] = client->call<greeter::Response>("test", "Test.Echo", req);
    });
  for (auto& t : callers)
    t.join();
  auto fast_ms = ms_since(t0);
  bool slow_still_running = !slow_done.load();
  sleeper.join();
  for (std::size_t i = 0; i < fast.size(); ++i) {
    INFO("call " << i << ": " << (fast[i] ? "" : fast[i].error().to_json()));
    REQUIRE(fast[i].ok());
    CHECK(fast[i]->msg() == "Hello n" + std::to_string(i));
  }
  CHECK(slow_still_running);
  CHECK(fast_ms < 1500);
  REQUIRE(slow.ok());
  CHECK(slow->at("slept_ms") == 2000);
}

TEST_CASE("Debug.Health and Debug.Stats", "[integration][rpc][debug]") {
  auto srv = start_test_server();
  auto client = make_client(srv);

  auto health = client->call_raw({}, "test", "Debug.Health", raw("application/json", "{}", "application/json"));
  REQUIRE(health.ok());
  auto health_json = json::parse(health->body);
  CHECK(health_json.at("status") == "ok");
  CHECK(health_json.at("registry").is_string());
  CHECK_FALSE(health_json.contains("registry_error"));

  greeter::Request req;
  req.set_name("x");
  for (int i = 0; i < 3; ++i)
    REQUIRE(client->call<greeter::Response>("test", "Test.Echo", req).ok());
  REQUIRE_FALSE(client->call<json>("test", "Test.Throw", json::object()).ok());

  auto stats = client->call<json>("test", "Debug.Stats", json::object());
  REQUIRE(stats.ok());
  INFO("stats: " << stats->dump());
  // connect_to's health check, health, 3 echoes, 1 throw, and this call.
  CHECK(stats->at("requests").get<long long>() == 7);
  CHECK(stats->at("errors").get<long long>() == 1);
  CHECK(stats->at("in_flight").get<long long>() == 0);
  auto memory = stats->at("memory").get<long long>();
  CHECK(memory > 1'000'000);
  CHECK(memory < 2'000'000'000LL);
  auto uptime = stats->at("uptime").get<long long>();
  CHECK(uptime >= 0);
  CHECK(uptime < 600);
  CHECK(stats->contains("started"));
}

TEST_CASE("a node that takes calls over a transport this client cannot speak is a coded error naming it",
          "[integration][rpc][transport]") {
  auto srv = start_test_server();
  // The registry says the node speaks "quic": the client must say so, not fall back silently.
  auto client = make_client("test=" + srv.address + ";transport=quic;transport_address=1");
  auto rsp = client->call<json>("test", "Debug.Health", json::object());
  REQUIRE_FALSE(rsp.ok());
  CHECK(rsp.error().code == 503);
  CHECK(rsp.error().detail.find("\"quic\"") != std::string::npos);
  CHECK(rsp.error().detail.find("cannot speak") != std::string::npos);
}
