// Server handler wrappers (middleware) across processes: order, short-circuit, exceptions, the
// built-in Debug endpoints left alone; the test server's TEST_* knobs (Test.Whoami, a slow node,
// a failing node); and `idempotent` endpoints as a client's registry lookup sees them.
#include <unistd.h>

#include <atomic>
#include <map>
#include <string>

#include <catch2/catch.hpp>

#include "harness.hpp"
#include "micro/selector.hpp"

using namespace micro::test;
using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;

namespace {

micro::raw_message json_request(std::string body = "{}") {
  micro::raw_message m;
  m.content_type = m.accept = "application/json";
  m.body = std::move(body);
  return m;
}

running_server start_wrapped_server() {
  server_config cfg;
  cfg.env["TEST_WRAPPERS"] = "1";
  return start_test_server(cfg);
}

// Test.Log's events of one kind.
json events_of(micro::client& c, const std::string& service, const std::string& kind) {
  auto log = c.call<json>(service, "Test.Log", json::object());
  REQUIRE(log.ok());
  json out = json::array();
  for (auto& ev : *log)
    if (ev.value("event", "") == kind)
      out.push_back(ev);
  return out;
}

std::string unique_name(const char* base) {
  static std::atomic<int> n{0};
  return std::string{base} + "-" + std::to_string(::getpid()) + "-" + std::to_string(++n);
}

}  // namespace

TEST_CASE("server wrappers run first-added outermost around user endpoints", "[integration][wrapper]") {
  auto srv = start_wrapped_server();
  auto client = make_client(srv);

  auto rsp = client->call_raw({}, "test", "Test.Echo", json_request(R"({"name":"John"})"));
  INFO((rsp ? "" : rsp.error().to_json()));
  REQUIRE(rsp.ok());
  CHECK(json::parse(rsp->body) == json{{"msg", "Hello John"}});
  // In: outer then inner; out: inner then outer. The response metadata a wrapper sets reaches
  // the caller next to the node's own.
  CHECK(rsp->metadata["x-wrapped"] == "in:outer,in:inner,out:inner,out:outer");
  CHECK_THAT(rsp->metadata["micro-node"], StartsWith("test-"));

  // The handler sees the context the innermost wrapper passed on.
  auto md = client->call<json>("test", "Test.Metadata", json::object(),
                               micro::call_options{}.with_metadata("trace", "t-9"));
  REQUIRE(md.ok());
  CHECK(md->value("x-trail", "") == "in:outer,in:inner");
  CHECK(md->value("trace", "") == "t-9");
}

TEST_CASE("a wrapper short-circuits with its own code and the handler does not run", "[integration][wrapper]") {
  auto srv = start_wrapped_server();
  auto client = make_client(srv);
  auto before = handler_runs(*client, "test");
  REQUIRE(before >= 0);

  auto denied = client->call_raw({}, "test", "Test.Echo", json_request(R"({"name":"x"})"),
                                 micro::call_options{}.with_metadata("deny", "yes"));
  REQUIRE_FALSE(denied.ok());
  CHECK(denied.error().code == 401);
  CHECK(denied.error().id == "test.auth");
  CHECK(denied.error().detail == "denied by the auth wrapper");
  CHECK(handler_runs(*client, "test") == before);
  CHECK(events_of(*client, "test", "run").empty());

  // Without `deny` the same call runs the handler.
  auto allowed = client->call_raw({}, "test", "Test.Echo", json_request(R"({"name":"x"})"));
  REQUIRE(allowed.ok());
  CHECK(handler_runs(*client, "test") == before + 1);
}

TEST_CASE("the built-in Debug endpoints are not wrapped", "[integration][wrapper]") {
  auto srv = start_wrapped_server();
  auto client = make_client(srv);
  auto deny = micro::call_options{}.with_metadata("deny", "yes");
  auto health = client->call_raw({}, "test", "Debug.Health", json_request(), deny);
  INFO((health ? "" : health.error().to_json()));
  REQUIRE(health.ok());
  CHECK(json::parse(health->body).at("status") == "ok");
  CHECK(health->metadata.count("x-wrapped") == 0);
  auto stats = client->call_raw({}, "test", "Debug.Stats", json_request(), deny);
  REQUIRE(stats.ok());
  CHECK(stats->metadata.count("x-wrapped") == 0);
  CHECK(json::parse(stats->body).contains("requests"));
}

TEST_CASE("exceptions of handlers pass through the wrappers unchanged", "[integration][wrapper]") {
  auto srv = start_wrapped_server();
  auto client = make_client(srv);

  auto thrown = client->call<json>("test", "Test.Throw", json::object());
  REQUIRE_FALSE(thrown.ok());
  CHECK(thrown.error().code == 500);
  CHECK_THAT(thrown.error().detail, Contains("boom"));
  auto failed = client->call<json>("test", "Test.Fail", json::object());
  REQUIRE_FALSE(failed.ok());
  CHECK(failed.error().code == 409);
  CHECK(failed.error().id == "test.server");
  CHECK(failed.error().detail == "already exists");

  // Both tracing wrappers saw each exception, innermost first.
  auto seen = events_of(*client, "test", "wrapper-saw");
  REQUIRE(seen.size() == 4);
  CHECK(seen[0] == json{{"event", "wrapper-saw"}, {"wrapper", "inner"}, {"endpoint", "Test.Throw"}, {"what", "boom"}});
  CHECK(seen[1] == json{{"event", "wrapper-saw"}, {"wrapper", "outer"}, {"endpoint", "Test.Throw"}, {"what", "boom"}});
  CHECK(seen[2]["wrapper"] == "inner");
  CHECK(seen[2]["what"] == "already exists");
  CHECK(seen[3]["wrapper"] == "outer");
}

TEST_CASE("without TEST_WRAPPERS the test server has no wrappers", "[integration][wrapper]") {
  auto srv = start_test_server();
  auto client = make_client(srv);
  auto rsp = client->call_raw({}, "test", "Test.Echo", json_request(R"({"name":"x"})"),
                              micro::call_options{}.with_metadata("deny", "yes"));
  REQUIRE(rsp.ok());
  CHECK(rsp->metadata.count("x-wrapped") == 0);
}

TEST_CASE("Test.Whoami names the node and the TEST_DELAY_MS and TEST_FAIL knobs slow or fail it", "[integration][wrapper][knobs]") {
  SECTION("plain") {
    auto srv = start_test_server();
    auto client = make_client(srv);
    auto before = handler_runs(*client, "test");
    auto me = client->call_raw({}, "test", "Test.Whoami", json_request());
    INFO((me ? "" : me.error().to_json()));
    REQUIRE(me.ok());
    auto body = json::parse(me->body);
    CHECK_THAT(body.value("node", ""), StartsWith("test-"));
    CHECK(body.value("node", "") == me->metadata["micro-node"]);
    CHECK(body.value("address", "") == srv.address);
    CHECK(handler_runs(*client, "test") == before);  // not counted
  }
  SECTION("slow: every Test.Echo and Test.Whoami call takes at least TEST_DELAY_MS") {
    server_config cfg;
    cfg.env["TEST_DELAY_MS"] = "300";
    auto srv = start_test_server(cfg);
    auto client = make_client(srv);
    for (const char* endpoint : {"Test.Whoami", "Test.Echo"}) {
      INFO(endpoint);
      auto t0 = steady_clock::now();
      auto rsp = client->call_raw({}, "test", endpoint, json_request(R"({"name":"x"})"));
      REQUIRE(rsp.ok());
      CHECK(ms_since(t0) >= 300);  // a lower bound only: the handler sleeps that long
    }
  }
  SECTION("failing: Test.Whoami answers 500, the rest still works") {
    server_config cfg;
    cfg.env["TEST_FAIL"] = "1";
    auto srv = start_test_server(cfg);
    auto client = make_client(srv);
    auto me = client->call<json>("test", "Test.Whoami", json::object());
    REQUIRE_FALSE(me.ok());
    CHECK(me.error().code == 500);
    CHECK(me.error().id == "test.server");
    CHECK_THAT(me.error().detail, Contains("TEST_FAIL"));
    auto echo = client->call_raw({}, "test", "Test.Echo", json_request(R"({"name":"x"})"));
    CHECK(echo.ok());
  }
}

TEST_CASE("idempotent endpoints are advertised to clients and wrap() after start is refused",
          "[integration][wrapper][idempotent]") {
  // In process: the static registry holds no endpoints, a memory registry holds what a service
  // registered.
  auto name = unique_name("idem");
  micro::options opts;
  opts.with_name(name).with_server_address("127.0.0.1:0").with_registry("memory", "wrapper-test");
  micro::service svc{opts};
  svc.server().handle("Idem.Read", [](const micro::context&, const json&, json& rsp) { rsp = json::object(); },
                      micro::endpoint_options{}.with_idempotent());
  svc.server().handle("Idem.Write", [](const micro::context&, const json&, json& rsp) { rsp = json::object(); });
  REQUIRE(svc.start().ok());

  micro::client client{opts};
  auto found = client.registry()->get_service(name);
  INFO(found.st.message);
  REQUIRE(found.ok());
  REQUIRE(found.value.size() == 1);
  std::map<std::string, micro::metadata> meta;
  for (auto& e : found.value.front().endpoints)
    meta[e.name] = e.meta;
  REQUIRE(meta.count("Idem.Read") == 1);
  REQUIRE(meta.count("Idem.Write") == 1);
  CHECK(meta["Idem.Read"] == micro::metadata{{micro::idempotent_key, "true"}});
  CHECK(meta["Idem.Write"].count(micro::idempotent_key) == 0);
  CHECK(meta["Debug.Health"].count(micro::idempotent_key) == 0);

  try {
    svc.server().wrap([](micro::raw_handler next) { return next; });
    FAIL("wrap() after start did not throw");
  } catch (const micro::error& e) {
    CHECK(e.code == 409);
    CHECK(e.id == "micro.server");
    CHECK_THAT(e.detail, Contains("already started"));
  }
  CHECK(svc.stop().ok());
}
