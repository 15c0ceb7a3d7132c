// `micro bench` (build/bin/micro) against micro-test-server processes found through the static
// registry: how it spreads calls, what it prints, its errors and a node that dies mid-run.
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <set>

#include <catch2/catch.hpp>

#include "harness.hpp"

using namespace micro::test;

namespace {

struct bench_run {
  exit_status status;
  std::string out;                    // all of stdout
  std::vector<std::string> err;       // stderr, line by line
  std::string transcript;

  /// The summary printed by --output json.
  json summary() const { return json::parse(out, nullptr, false); }
  /// The first stderr line as a go-micro error (none if it is not one).
  std::optional<micro::error> error() const {
    return err.empty() ? std::nullopt : micro::error::from_json(err.front());
  }
};

std::map<std::string, std::string> cli_env(const std::string& registry_address,
                                           const std::map<std::string, std::string>& extra = {}) {
  auto env = heartbeat_env();
  env["MICRO_REGISTRY"] = "static";
  env["MICRO_REGISTRY_ADDRESS"] = registry_address;
  for (auto& [k, v] : extra)
    env[k] = v;
  return env;
}

// Waits for `micro` to end (failing the test after 60 s) and collects its output.
bench_run finish(process& cli) {
  auto status = cli.wait(60s);
  if (!status)
    FAIL("micro did not finish within 60 s; its output:\n" << cli.transcript());
  bench_run run;
  run.status = *status;
  while (auto line = cli.read_line(stream::out, 5s))
    run.out += *line + "\n";
  while (auto line = cli.read_line(stream::err, 5s))
    run.err.push_back(*line);
  run.transcript = cli.transcript();
  return run;
}

bench_run run_micro(const std::string& registry_address, std::vector<std::string> args,
                    const std::map<std::string, std::string>& extra_env = {}) {
  process cli{sibling_binary("micro"), std::move(args), cli_env(registry_address, extra_env)};
  return finish(cli);
}

// The node id `s` puts in its responses (Test.Whoami, asked through `micro call`).
std::string node_id(const running_server& s) {
  auto run = run_micro(s.entry(), {"call", s.name, "Test.Whoami", "{}"});
  INFO(run.transcript);
  REQUIRE(run.status.code == 0);
  return json::parse(run.out).at("node").get<std::string>();
}

long long node_calls(const json& summary, const std::string& node) {
  auto& nodes = summary.at("nodes");
  return nodes.contains(node) ? nodes[node].at("calls").get<long long>() : 0;
}

}  // namespace

TEST_CASE("micro bench spreads its calls over the nodes of a service", "[cli_bench]") {
  auto a = start_test_server();
  auto b = start_test_server();
  const auto reg = a.entry() + "," + b.entry();
  const auto id_a = node_id(a), id_b = node_id(b);
  REQUIRE(id_a != id_b);

  SECTION("random: both nodes answer a share, every call succeeds, JSON summary") {
    auto run = run_micro(reg, {"bench", "test", "Test.Echo", R"({"name":"x"})", "--requests", "200",
                               "--concurrency", "2", "--output", "json"});
    INFO(run.transcript);
    CHECK(run.status.exited);
    CHECK(run.status.code == 0);
    auto s = run.summary();
    REQUIRE(s.is_object());
    CHECK(s["calls"] == 200);
    CHECK(s["ok"] == 200);
    CHECK(s["failed"] == 0);
    CHECK(s["errors"] == json::object());
    CHECK(s["strategy"] == "random");
    CHECK(s["concurrency"] == 2);
    CHECK(s["nodes"].size() == 2);
    // Binomial(200, 1/2): below 40 on either side has a probability of about 1e-18.
    CHECK(node_calls(s, id_a) >= 40);
    CHECK(node_calls(s, id_b) >= 40);
    CHECK(node_calls(s, id_a) + node_calls(s, id_b) == 200);
    CHECK(s["calls_per_second"].get<double>() > 0);
    auto& latency = s["latency_ms"];
    REQUIRE(latency.is_object());
    CHECK(latency["p50"].get<double>() > 0);
    CHECK(latency["p50"].get<double>() <= latency["p90"].get<double>());
    CHECK(latency["p90"].get<double>() <= latency["p99"].get<double>());
    CHECK(latency["p99"].get<double>() <= latency["max"].get<double>());
  }
  SECTION("--strategy roundrobin alternates the two nodes") {
    auto run = run_micro(reg, {"bench", "test", "Test.Echo", "--requests", "100", "--strategy", "roundrobin",
                               "--output=json"});
    INFO(run.transcript);
    CHECK(run.status.code == 0);
    auto s = run.summary();
    REQUIRE(s.is_object());
    CHECK(s["strategy"] == "roundrobin");
    CHECK(s["ok"] == 100);
    CHECK(node_calls(s, id_a) >= 49);
    CHECK(node_calls(s, id_b) >= 49);
  }
  SECTION("text: calls/s, percentiles, no errors, calls per node with their share") {
    auto run = run_micro(reg, {"bench", "test", "Test.Echo", "--duration", "500ms", "--concurrency", "2"});
    INFO(run.transcript);
    CHECK(run.status.code == 0);
    CHECK_THAT(run.out, Catch::StartsWith("micro bench: test Test.Echo, 0.5 s, concurrency 2, strategy random\n"));
    CHECK_THAT(run.out, Catch::Contains(" calls/s ("));
    CHECK_THAT(run.out, Catch::Contains(" 0 failed)"));
    CHECK_THAT(run.out, Catch::Contains("latency:  p50 "));
    CHECK_THAT(run.out, Catch::Contains(" p99 "));
    CHECK_THAT(run.out, Catch::Contains("errors by code: none\n"));
    CHECK_THAT(run.out, Catch::Contains("calls per node (that answered):\n  " + std::min(id_a, id_b)));
    CHECK_THAT(run.out, Catch::Contains(std::max(id_a, id_b)));
    CHECK_THAT(run.out, Catch::Contains("%"));
  }
}

TEST_CASE("micro bench rejects bad arguments with a 400 before any call", "[cli_bench]") {
  // Nothing listens there: a bad argument must be reported before any call is tried.
  const std::string reg = "test=127.0.0.1:9";
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases{
    {{"bench", "test", "Test.Echo", "--concurrency", "0"}, "--concurrency 0: expected a whole number from 1 to 1024"},
    {{"bench", "test", "Test.Echo", "--concurrency", "many"}, "--concurrency many"},
    {{"bench", "test", "Test.Echo", "--concurrency", "5000"}, "--concurrency 5000"},
    {{"bench", "test", "Test.Echo", "--requests", "-3"}, "--requests -3"},
    {{"bench", "test", "Test.Echo", "--duration", "10"}, "--duration 10"},
    {{"bench", "test", "Test.Echo", "--duration", "0s"}, "--duration 0s: must be more than 0"},
    {{"bench", "test", "Test.Echo", "--rate", "fast"}, "--rate fast"},
    {{"bench", "test", "Test.Echo", "--strategy", "fastest"}, "--strategy fastest: unknown selector strategy"},
    {{"bench", "test", "Test.Echo", "--output", "yaml"}, "--output yaml: expected text or json"},
    {{"bench", "test", "Test.Echo", "--timeout"}, "--timeout needs a value"},
    {{"bench", "test", "Test.Echo", "--frobnicate"}, "unknown flag \"--frobnicate\""},
    {{"bench", "test", "Test.Echo", "--duration", "1s", "--requests", "5"}, "give --duration or --requests, not both"},
    {{"bench", "test", "Test.Echo", "{not json"}, "the request body is not JSON"},
    {{"bench", "test"}, "expected SERVICE ENDPOINT [JSON]"},
    {{"bench", "test", "Test.Echo", "-m", "novalue"}, "metadata \"novalue\" is not key=value"},
  };
  for (auto& [args, detail] : cases) {
    auto run = run_micro(reg, args);
    INFO(run.transcript);
    CHECK(run.status.exited);  // never a crash
    CHECK(run.status.code == 1);
    CHECK(run.out.empty());
    auto err = run.error();
    REQUIRE(err.has_value());
    CHECK(err->code == 400);
    CHECK_THAT(err->detail, Catch::Contains(detail));
  }
}

TEST_CASE("micro bench counts failed calls by error code", "[cli_bench]") {
  auto srv = start_test_server();

  SECTION("an unknown service: every call a 404, exit 1") {
    auto run = run_micro(srv.entry(), {"bench", "nosuch", "Test.Echo", "--requests", "20"});
    INFO(run.transcript);
    CHECK(run.status.exited);
    CHECK(run.status.code == 1);
    CHECK_THAT(run.out, Catch::Contains("(0 ok, 20 failed)"));
    CHECK_THAT(run.out, Catch::Contains("latency:  - (no call succeeded)"));
    CHECK_THAT(run.out, Catch::Contains("errors by code:\n  404  20      first: {"));
    CHECK_THAT(run.out, Catch::Contains("calls per node (that answered): none"));
    CHECK(!run.err.empty());
    CHECK(run.err.back() == "micro bench: every call failed");
  }
  SECTION("an unknown endpoint: 404 from the node, in JSON") {
    auto run = run_micro(srv.entry(), {"bench", "test", "Test.Nope", "--requests", "10", "--output", "json"});
    INFO(run.transcript);
    CHECK(run.status.code == 1);
    auto s = run.summary();
    REQUIRE(s.is_object());
    CHECK(s["failed"] == 10);
    CHECK(s["latency_ms"].is_null());
    CHECK(s["errors"]["404"]["count"] == 10);
    CHECK(s["errors"]["404"]["first"]["detail"] == "service test has no endpoint Test.Nope");
  }
  SECTION("no node listens: every call a 503") {
    auto run = run_micro("test=127.0.0.1:9", {"bench", "test", "Test.Echo", "--requests", "5", "--output", "json"});
    INFO(run.transcript);
    CHECK(run.status.code == 1);
    CHECK(run.summary()["errors"]["503"]["count"] == 5);
  }
  SECTION("a handler's own error code: 409") {
    auto run = run_micro(srv.entry(), {"bench", "test", "Test.Fail", "--requests", "4", "--output", "json"});
    INFO(run.transcript);
    CHECK(run.status.code == 1);
    CHECK(run.summary()["errors"]["409"]["first"]["detail"] == "already exists");
  }
  SECTION("some calls fail, some succeed: both counted, exit 0") {
    // A second node whose Test.Whoami answers 500 (never retried): random sends it some of the
    // 40 calls (all but 2^-40 of the time), the healthy node answers the others.
    server_config failing_cfg;
    failing_cfg.env["TEST_FAIL"] = "1";
    auto failing = start_test_server(failing_cfg);
    auto run = run_micro(srv.entry() + "," + failing.entry(),
                         {"bench", "test", "Test.Whoami", "--requests", "40", "--output", "json"});
    INFO(run.transcript);
    CHECK(run.status.code == 0);
    auto s = run.summary();
    REQUIRE(s.is_object());
    CHECK(s["errors"].size() == 1);
    CHECK(s["errors"].value("/500/count"_json_pointer, 0) >= 1);
    CHECK(s["ok"].get<int>() >= 1);
    CHECK(s["ok"].get<int>() + s["failed"].get<int>() == 40);
    CHECK(node_calls(s, node_id(srv)) == s["ok"].get<int>());
  }
}

TEST_CASE("micro bench: a node killed mid-run costs the calls in flight on it, the other node takes the rest",
          "[cli_bench]") {
  auto a = start_test_server();
  auto b = start_test_server();
  const auto id_a = node_id(a), id_b = node_id(b);
  const int concurrency = 4;
  // 300 ms calls: the call that told us it started on A is still in flight when A is killed.
  process cli{sibling_binary("micro"),
              {"bench", "test", "Test.Sleep", R"({"ms":300})", "--duration", "4s", "--concurrency",
               std::to_string(concurrency), "--interval", "500ms", "--output", "json"},
              cli_env(a.entry() + "," + b.entry())};
  REQUIRE(a.proc->wait_for_line(stream::out, "sleeping ", 20s));
  a.proc->kill();
  auto run = finish(cli);
  INFO(run.transcript);
  CHECK(run.status.exited);
  CHECK(run.status.code == 0);
  auto s = run.summary();
  REQUIRE(s.is_object());
  // The killed node's calls in flight fail (503, not retried: the handler may have run); one
  // per caller thread at most. Every other call succeeds: on B once A is known down.
  auto failed = s["failed"].get<long long>();
  CHECK(failed >= 1);
  CHECK(failed <= concurrency);
  CHECK(s["errors"].size() == 1);
  CHECK(s["errors"]["503"]["count"] == failed);
  CHECK(node_calls(s, id_b) > node_calls(s, id_a));
  CHECK(node_calls(s, id_a) + node_calls(s, id_b) == s["ok"].get<long long>());
  // Progress lines on stderr, every 500 ms: the last ones show B alone, answering, nothing failed.
  std::vector<std::string> progress;
  for (auto& line : run.err)
    if (line.rfind("micro bench: ", 0) == 0 && line.find(" calls/s ") != std::string::npos)
      progress.push_back(line);
  REQUIRE(progress.size() >= 6);
  const auto& last = progress.back();
  CHECK_THAT(last, Catch::Contains(" 0 failed"));
  CHECK_THAT(last, Catch::Contains(id_b + " "));
  CHECK_THAT(last, !Catch::Contains(id_a));
}

TEST_CASE("micro bench: --rate paces the calls, SIGINT ends the run with its summary", "[cli_bench]") {
  auto srv = start_test_server();

  SECTION("25 calls at 50/s start 20 ms apart: at least 0.48 s") {
    auto run = run_micro(srv.entry(), {"bench", "test", "Test.Echo", "--requests", "25", "--rate", "50",
                                       "--concurrency", "4", "--output", "json"});
    INFO(run.transcript);
    CHECK(run.status.code == 0);
    auto s = run.summary();
    REQUIRE(s.is_object());
    CHECK(s["ok"] == 25);
    CHECK(s["seconds"].get<double>() >= 0.48);
  }
  SECTION("SIGINT: the calls in flight finish, the summary is printed, exit 0") {
    process cli{sibling_binary("micro"),
                {"bench", "test", "Test.Echo", "--duration", "60s", "--interval", "100ms", "--output", "json"},
                cli_env(srv.entry())};
    // A progress line: the run is under way.
    REQUIRE(cli.wait_for_line(stream::err, " calls/s ", 20s));
    REQUIRE(cli.signal(SIGINT));
    auto t0 = steady_clock::now();
    auto run = finish(cli);
    INFO(run.transcript);
    CHECK(ms_since(t0) < 10'000);
    CHECK(run.status.exited);
    CHECK(run.status.code == 0);
    auto s = run.summary();
    REQUIRE(s.is_object());
    CHECK(s["ok"].get<long long>() > 0);
    CHECK(s["failed"] == 0);
    CHECK(s["seconds"].get<double>() < 60);
    CHECK(std::find(run.err.begin(), run.err.end(),
                    "micro bench: interrupted; the summary covers the calls made until then") != run.err.end());
  }
}

// Through the real Avahi daemon (`make test` starts one with scripts/avahi): the nodes are found
// by discovery, and the summary names each node's registered address.
TEST_CASE("micro bench over mDNS: both nodes found, named with their addresses", "[cli_bench][mdns]") {
  const auto name = "bench-" + std::to_string(::getpid());
  auto mdns_server = [&] {
    server_config cfg{name};
    cfg.env["MICRO_REGISTRY"] = "mdns";
    return start_test_server(cfg);
  };
  auto a = mdns_server();
  auto b = mdns_server();
  const std::map<std::string, std::string> mdns{{"MICRO_REGISTRY", "mdns"}};
  // A fresh process may see one node before the other has been browsed: run until both answer.
  json s;
  bench_run run;
  for (auto deadline = steady_clock::now() + 30s; steady_clock::now() < deadline;) {
    run = run_micro("", {"bench", name, "Test.Whoami", "--requests", "40", "--output", "json"}, mdns);
    s = run.summary();
    if (s.is_object() && s["nodes"].size() == 2)
      break;
  }
  INFO("the mdns registry needs an Avahi daemon: `make test` starts one with scripts/avahi start\n"
       << run.transcript);
  REQUIRE(s.is_object());
  CHECK(s["ok"] == 40);
  REQUIRE(s["nodes"].size() == 2);
  std::set<std::string> addresses;
  for (auto& [id, node] : s["nodes"].items())
    addresses.insert(node["address"].get<std::string>());
  CHECK(addresses == std::set<std::string>{a.address, b.address});
}
