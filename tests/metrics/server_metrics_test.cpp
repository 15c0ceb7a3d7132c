// Counts and histograms move with real calls: a micro-test-server process serves /metrics on
// its HTTP listener; this process's client keeps its own per-target figures.
#include <catch2/catch.hpp>

#include "curl_client.hpp"
#include "harness.hpp"
#include "metrics/registry.hpp"
#include "prometheus_parser.hpp"

using namespace micro;
using namespace micro::test;

namespace {

// The server's /metrics, parsed; its HTTP address comes from Debug.Stats ("http").
parsed_metrics scrape(micro::client& c, const std::string& service) {
  auto stats = c.call<json, json>(service, "Debug.Stats", json::object());
  REQUIRE(stats);
  auto address = (*stats)["http"].get<std::string>();
  REQUIRE_FALSE(address.empty());
  auto got = get("http://" + address + "/metrics");
  REQUIRE(got.status == 200);
  CHECK(got.headers["content-type"].rfind("text/plain; version=0.0.4", 0) == 0);
  auto parsed = parse_prometheus(got.body);
  INFO(got.body);
  REQUIRE(parsed.ok);
  return parsed;
}

std::string series(const std::string& name, const std::string& service, const std::string& endpoint,
                   const std::string& extra = {}) {
  // Labels sorted by name, as prometheus_parser prints them.
  std::string code, le;
  if (extra.rfind("code=", 0) == 0) code = extra + ",";
  if (extra.rfind("le=", 0) == 0) le = extra + ",";
  return name + "{" + code + "endpoint=\"" + endpoint + "\"," + le + "service=\"" + service + "\"}";
}

}  // namespace

TEST_CASE("server and client metrics count real calls across processes", "[metrics][rpc]") {
  if (!prometheus_parser_available()) {
    WARN("skipped: python3-prometheus-client is not installed (scripts/install-deps installs it)");
    return;
  }
  server_config cfg{"metrics.server"};
  cfg.env["MICRO_HTTP_ADDRESS"] = "127.0.0.1:0";
  auto server = start_test_server(cfg);
  auto c = make_client(server);

  for (int i = 0; i < 5; ++i)
    REQUIRE(c->call<json, json>("metrics.server", "Test.Echo", json{{"name", "m"}}));
  for (int i = 0; i < 2; ++i) {
    auto failed = c->call<json, json>("metrics.server", "Test.Fail", json::object());
    REQUIRE_FALSE(failed);
    REQUIRE(failed.error().code == 409);
  }
  REQUIRE_FALSE(c->call<json, json>("metrics.server", "Test.Missing", json::object()));

  auto m = scrape(*c, "metrics.server");
  const std::string svc = "metrics.server";
  CHECK(m.get(series("micro_server_requests_total", svc, "Test.Echo", "code=\"200\"")) == 5.0);
  CHECK(m.get(series("micro_server_requests_total", svc, "Test.Fail", "code=\"409\"")) == 2.0);
  CHECK(m.get(series("micro_server_requests_total", svc, "(unknown)", "code=\"404\"")) == 1.0);
  CHECK(m.get(series("micro_server_request_duration_seconds_count", svc, "Test.Echo")) == 5.0);
  CHECK(m.get(series("micro_server_request_duration_seconds_bucket", svc, "Test.Echo", "le=\"+Inf\"")) == 5.0);
  CHECK(m.get(series("micro_server_request_duration_seconds_sum", svc, "Test.Echo")).value_or(0) > 0);
  CHECK(m.get(series("micro_server_requests_in_flight", svc, "Test.Echo")) == 0.0);
  CHECK(m.get("micro_server_streams_open{service=\"metrics.server\"}") == 0.0);
  CHECK(m.get("process_resident_memory_bytes{}").value_or(0) > 1e6);
  CHECK(m.get("process_threads{}").value_or(0) >= 2);

  // This process's side: the same calls seen from the caller.
  auto mine = parse_prometheus(metrics::registry::global().expose());
  REQUIRE(mine.ok);
  CHECK(mine.get(series("micro_client_requests_total", svc, "Test.Echo", "code=\"200\"")) == 5.0);
  CHECK(mine.get(series("micro_client_requests_total", svc, "Test.Fail", "code=\"409\"")) == 2.0);
  CHECK(mine.get(series("micro_client_request_duration_seconds_count", svc, "Test.Echo")) == 5.0);
  CHECK(mine.get(series("micro_client_requests_in_flight", svc, "Test.Echo")) == 0.0);
}

TEST_CASE("in-flight rises while a handler runs", "[metrics][rpc]") {
  if (!prometheus_parser_available()) {
    WARN("skipped: python3-prometheus-client is not installed (scripts/install-deps installs it)");
    return;
  }
  server_config cfg{"metrics.sleepy"};
  cfg.env["MICRO_HTTP_ADDRESS"] = "127.0.0.1:0";
  auto server = start_test_server(cfg);
  auto c = make_client(server);
  joining_thread sleeper{[&] { (void)c->call<json, json>("metrics.sleepy", "Test.Sleep", json{{"ms", 1500}}); }};
  REQUIRE(wait_sleepers(server, 1));
  auto m = scrape(*c, "metrics.sleepy");
  CHECK(m.get(series("micro_server_requests_in_flight", "metrics.sleepy", "Test.Sleep")) == 1.0);
  sleeper.join();
  auto after = scrape(*c, "metrics.sleepy");
  CHECK(after.get(series("micro_server_requests_in_flight", "metrics.sleepy", "Test.Sleep")) == 0.0);
  CHECK(after.get(series("micro_server_requests_total", "metrics.sleepy", "Test.Sleep", "code=\"200\"")) == 1.0);
}

TEST_CASE("client retries and circuit state are counted per target", "[metrics][rpc]") {
  if (!prometheus_parser_available()) {
    WARN("skipped: python3-prometheus-client is not installed (scripts/install-deps installs it)");
    return;
  }
  server_config cfg{"metrics.failing"};
  cfg.env["TEST_FAIL"] = "1";  // Test.Whoami (idempotent) answers 500
  auto server = start_test_server(cfg);
  auto c = make_client(server);
  // Each call: an attempt and one retry (a policy that retries 500s), both failing; 5 failures
  // in a row open the node's circuit.
  auto opts = call_options{}.with_retries(1).with_retry_policy([](const retry_info&) { return true; });
  for (int i = 0; i < 3; ++i)
    REQUIRE_FALSE(c->call<json, json>("metrics.failing", "Test.Whoami", json::object(), opts));
  auto mine = parse_prometheus(metrics::registry::global().expose());
  REQUIRE(mine.ok);
  CHECK(mine.get(R"(micro_client_retries_total{endpoint="Test.Whoami",service="metrics.failing"})")== 3.0);
  CHECK(mine.get(R"(micro_client_requests_total{code="500",endpoint="Test.Whoami",service="metrics.failing"})") == 3.0);
  CHECK(mine.get(R"(micro_client_circuit_state{node=")" + server.address + R"(",service="metrics.failing"})") == 1.0);
}

TEST_CASE("broker figures: publications sent here, deliveries in the subscriber's process", "[metrics][pubsub]") {
  if (!prometheus_parser_available()) {
    WARN("skipped: python3-prometheus-client is not installed (scripts/install-deps installs it)");
    return;
  }
  server_config cfg{"metrics.events"};
  cfg.env["TEST_PUBSUB_STREAM"] = "1";
  cfg.env["MICRO_HTTP_ADDRESS"] = "127.0.0.1:0";
  auto server = start_test_server(cfg);
  auto c = make_client(server.entry() + ";sub:test.events=*", {&server});
  for (int i = 0; i < 4; ++i)
    REQUIRE(c->publish("test.events", json{{"n", i}}, publish_options{}.with_mode(delivery::acknowledged)));
  auto mine = parse_prometheus(metrics::registry::global().expose());
  REQUIRE(mine.ok);
  CHECK(mine.get(R"(micro_broker_publications_total{topic="test.events"})").value_or(0) >= 4);
  // Accepted is not yet handled: poll until the subscriber's process counted all four.
  std::optional<double> delivered;
  for (auto until = steady_clock::now() + 10s; steady_clock::now() < until;) {
    delivered = scrape(*c, "metrics.events").get(R"(micro_broker_deliveries_total{topic="test.events"})");
    if (delivered.value_or(0) >= 4)
      break;
    std::this_thread::sleep_for(20ms);
  }
  CHECK(delivered == 4.0);
  auto m = scrape(*c, "metrics.events");
  CHECK(m.get(R"(micro_broker_drops_total{topic="test.events"})") == 0.0);
  CHECK(m.get(R"(micro_broker_queue_depth{topic="test.events"})") == 0.0);
}
