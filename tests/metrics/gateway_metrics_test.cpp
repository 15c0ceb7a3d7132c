// The gateway's /metrics: the calls it made through HTTP, seen from its client.
#include <catch2/catch.hpp>

#include "curl_client.hpp"
#include "gateway.hpp"
#include "prometheus_parser.hpp"

using namespace micro::test;

TEST_CASE("micro api serves /metrics with the calls made through it", "[metrics][api]") {
  if (!prometheus_parser_available()) {
    WARN("skipped: python3-prometheus-client is not installed (scripts/install-deps installs it)");
    return;
  }
  auto srv = start_test_server(server_config{"gwm"});
  auto gw = start_gateway(srv.entry());
  for (int i = 0; i < 3; ++i)
    REQUIRE(post(gw.url + "/gwm/Test/Echo", R"({"name":"g"})").status == 200);
  REQUIRE(post(gw.url + "/gwm/Test/Fail", "{}").status == 409);
  auto got = get(gw.url + "/metrics");
  REQUIRE(got.status == 200);
  auto m = parse_prometheus(got.body);
  INFO(got.body);
  REQUIRE(m.ok);
  CHECK(m.get(R"(micro_client_requests_total{code="200",endpoint="Test.Echo",service="gwm"})") == 3.0);
  CHECK(m.get(R"(micro_client_requests_total{code="409",endpoint="Test.Fail",service="gwm"})") == 1.0);
  CHECK(m.get(R"(micro_client_request_duration_seconds_count{endpoint="Test.Echo",service="gwm"})") == 3.0);
  CHECK(m.get("process_threads{}").value_or(0) >= 2);
}
