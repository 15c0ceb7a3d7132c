// The registry's Prometheus text, read back by Prometheus' own parser.
#include <catch2/catch.hpp>

#include "metrics/registry.hpp"
#include "metrics/rpc.hpp"
#include "prometheus_parser.hpp"

using namespace micro;
using namespace std::chrono_literals;

TEST_CASE("exposition of counters, gauges and histograms parses with the Prometheus parser", "[metrics]") {
  if (!test::prometheus_parser_available()) {
    WARN("skipped: python3-prometheus-client is not installed (scripts/install-deps installs it)");
    return;
  }
  metrics::registry r;
  r.counter("t_requests_total", "Requests.\nWith a second line and a \\ backslash.", {{"path", "/a"}}).inc(3);
  r.counter("t_requests_total", "Requests.", {{"path", "quote \" and \\ and\nnewline"}}).inc();
  r.gauge("t_depth", "Depth.", {}).set(-7);
  auto& h = r.histogram("t_duration_seconds", "Duration.", {{"op", "x"}});
  h.observe(50us);     // first bucket (<= 100 µs)
  h.observe(3ms);      // <= 5 ms
  h.observe(20s);      // +Inf only
  r.collect("extra", [](std::vector<metrics::family_snapshot>& out) {
    out.push_back({"t_collected", "Collected at scrape time.", metrics::kind::gauge, {{{{"k", "v"}}, 1.5}}});
  });
  r.collect("extra2", [](std::vector<metrics::family_snapshot>& out) {
    out.push_back({"t_collected", "Collected at scrape time.", metrics::kind::gauge, {{{{"k", "w"}}, 2}}});
  });

  auto text = r.expose();
  auto parsed = test::parse_prometheus(text);
  INFO(text);
  REQUIRE(parsed.ok);
  CHECK(parsed.types["t_requests"] == "counter");
  CHECK(parsed.types["t_duration_seconds"] == "histogram");
  CHECK(parsed.types["t_depth"] == "gauge");
  CHECK(parsed.get("t_requests_total{path=\"/a\"}") == 3.0);
  CHECK(parsed.get("t_requests_total{path=\"quote \" and \\ and\nnewline\"}") == 1.0);
  CHECK(parsed.get("t_depth{}") == -7.0);
  CHECK(parsed.get("t_duration_seconds_bucket{le=\"0.0001\",op=\"x\"}") == 1.0);
  CHECK(parsed.get("t_duration_seconds_bucket{le=\"0.005\",op=\"x\"}") == 2.0);
  CHECK(parsed.get("t_duration_seconds_bucket{le=\"10\",op=\"x\"}") == 2.0);
  CHECK(parsed.get("t_duration_seconds_bucket{le=\"+Inf\",op=\"x\"}") == 3.0);
  CHECK(parsed.get("t_duration_seconds_count{op=\"x\"}") == 3.0);
  CHECK(parsed.get("t_duration_seconds_sum{op=\"x\"}").value_or(0) == Approx(20.00305));
  CHECK(parsed.get("t_collected{k=\"v\"}") == 1.5);
  CHECK(parsed.get("t_collected{k=\"w\"}") == 2.0);
}

TEST_CASE("one name keeps one type", "[metrics]") {
  metrics::registry r;
  r.counter("t_x_total", "X.", {});
  CHECK_THROWS_AS(r.gauge("t_x_total", "X.", {}), std::logic_error);
}

TEST_CASE("the process figures come from /proc", "[metrics]") {
  if (!test::prometheus_parser_available()) {
    WARN("skipped: python3-prometheus-client is not installed (scripts/install-deps installs it)");
    return;
  }
  auto parsed = test::parse_prometheus(metrics::registry::global().expose());
  REQUIRE(parsed.ok);
  CHECK(parsed.get("process_resident_memory_bytes{}").value_or(0) > 1e6);
  CHECK(parsed.get("process_threads{}").value_or(0) >= 2);
  CHECK(parsed.get("process_open_fds{}").value_or(0) >= 3);
}
