// The `micro` command line tool (build/bin/micro) against micro-test-server.
#include <signal.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "harness.hpp"

using namespace micro::test;

namespace {

struct cli_run {
  exit_status status;
  std::string out;  // all of stdout
  std::string err;  // all of stderr
};

// Runs `micro ARGS...` with a static registry of `registry_address`; all of its output.
cli_run run_cli(const std::string& registry_address, std::vector<std::string> args,
                const std::map<std::string, std::string>& extra_env = {}) {
  auto env = heartbeat_env();
  for (auto& [k, v] : extra_env)
    env[k] = v;
  env["MICRO_REGISTRY"] = "static";
  env["MICRO_REGISTRY_ADDRESS"] = registry_address;
  process cli{sibling_binary("micro"), std::move(args), env};
  auto status = cli.wait(60s);
  if (!status)
    FAIL("micro did not finish within 60 s; its output:\n" << cli.transcript());
  cli_run run;
  run.status = *status;
  for (auto [s, text] : {std::pair{stream::out, &run.out}, std::pair{stream::err, &run.err}})
    while (auto line = cli.read_line(s, 5s))
      *text += *line + "\n";
  return run;
}

bool have_cli() { return ::access(sibling_binary("micro").c_str(), X_OK) == 0; }

}  // namespace

TEST_CASE("micro call and micro health", "[integration][cli]") {
  if (!have_cli()) {
    WARN("build/bin/micro is not built: skipping the CLI tests");
    return;
  }
  auto srv = start_test_server();
  auto reg = srv.entry();

  SECTION("a JSON call to a protobuf handler prints the JSON response, exit 0") {
    auto run = run_cli(reg, {"call", "test", "Test.Echo", R"({"name":"John"})"});
    INFO("stdout: " << run.out << "stderr: " << run.err);
    CHECK(run.status.exited);
    CHECK(run.status.code == 0);
    CHECK(json::parse(run.out) == json{{"msg", "Hello John"}});
  }
  SECTION("-m key=value reaches the handler's context") {
    auto run = run_cli(reg, {"call", "test", "Test.Metadata", "{}", "-m", "trace-id=abc", "-m", "user=ann"});
    INFO("stdout: " << run.out << "stderr: " << run.err);
    CHECK(run.status.code == 0);
    auto md = json::parse(run.out);
    CHECK(md.value("trace-id", "") == "abc");
    CHECK(md.value("user", "") == "ann");
  }
  SECTION("without a body the call sends {}") {
    auto run = run_cli(reg, {"call", "test", "Test.Count"});
    INFO("stdout: " << run.out << "stderr: " << run.err);
    CHECK(run.status.code == 0);
    CHECK(json::parse(run.out).contains("count"));
  }

  auto expect_error = [&](std::vector<std::string> args, int code) {
    auto run = run_cli(reg, std::move(args));
    INFO("stdout: " << run.out << "stderr: " << run.err);
    CHECK(run.status.exited);
    CHECK(run.status.code != 0);
    CHECK(run.out.empty());
    auto first_line = run.err.substr(0, run.err.find('\n'));
    auto err = micro::error::from_json(first_line);
    REQUIRE(err.has_value());
    CHECK(err->code == code);
    return *err;
  };
  SECTION("errors are go-micro JSON on stderr with a non-zero exit") {
    expect_error({"call", "test", "Test.Nope", "{}"}, 404);
    expect_error({"call", "nosuch", "Test.Echo", "{}"}, 404);
    expect_error({"call", "test", "Test.Echo", "{not json"}, 400);
    CHECK(expect_error({"call", "test", "Test.Throw", "{}"}, 500).detail == "boom");
    CHECK(expect_error({"call", "test", "Test.Fail", "{}"}, 409).detail == "already exists");
    expect_error({"call", "test"}, 400);  // usage
  }
  SECTION("micro health reports the node ok, exit 0") {
    auto run = run_cli(reg, {"health", "test"});
    INFO("stdout: " << run.out << "stderr: " << run.err);
    CHECK(run.status.code == 0);
    CHECK_THAT(run.out, Catch::Contains(srv.address));
    CHECK_THAT(run.out, Catch::Contains(R"("status":"ok")"));
  }
  SECTION("micro health of a dead node: exit non-zero") {
    srv.proc->kill();
    auto run = run_cli(reg, {"health", "test"});
    INFO("stdout: " << run.out << "stderr: " << run.err);
    CHECK(run.status.exited);
    CHECK(run.status.code != 0);
    CHECK_THAT(run.out, Catch::Contains("503"));
  }
}

// One deadline for the whole call: three frozen candidates must not stretch a 1 s call to 3 s
// (and past the facade's wait, which turned it into a 500). Heartbeats are off in the CLI here,
// as with CAF's defaults, so nothing but the call's own deadline ends the connects.
TEST_CASE("a call to frozen nodes ends within its timeout with 408 or 503", "[integration][cli]") {
  if (!have_cli()) {
    WARN("build/bin/micro is not built: skipping the CLI tests");
    return;
  }
  std::vector<running_server> frozen;
  std::string reg;
  for (int i = 0; i < 3; ++i) {
    frozen.push_back(start_test_server());
    REQUIRE(frozen.back().proc->freeze());
    reg += (reg.empty() ? "" : ",") + frozen.back().entry();
  }
  auto t0 = steady_clock::now();
  auto run = run_cli(reg, {"call", "test", "Test.Echo", R"({"name":"x"})"},
                     {{"MICRO_HEARTBEAT_INTERVAL", "0ms"}, {"MICRO_CLIENT_REQUEST_TIMEOUT", "1s"}});
  auto elapsed = ms_since(t0);
  INFO("stderr: " << run.err << "after " << elapsed << " ms");
  auto err = micro::error::from_json(run.err.substr(0, run.err.find('\n')));
  REQUIRE(err.has_value());
  CHECK((err->code == 408 || err->code == 503));
  CHECK(elapsed < 1000 + 1000);
  for (auto& s : frozen)
    s.proc->signal(SIGCONT);
}

namespace {

// Runs `micro ARGS...` expecting a go-micro JSON error with `code` on stderr, nothing on stdout
// and a non-zero exit; returns the error.
micro::error cli_error(const std::string& registry_address, std::vector<std::string> args, int code) {
  auto run = run_cli(registry_address, std::move(args));
  INFO("stdout: " << run.out << "stderr: " << run.err);
  CHECK(run.status.exited);
  CHECK(run.status.code != 0);
  CHECK(run.out.empty());
  auto err = micro::error::from_json(run.err.substr(0, run.err.find('\n')));
  REQUIRE(err.has_value());
  CHECK(err->code == code);
  return *err;
}

}  // namespace

// The static registry knows names and nodes only (no versions, metadata or endpoints), so these
// check listing, node output and the errors; tests/mdns/cli_test.cpp checks endpoints.
TEST_CASE("micro services and micro describe", "[integration][cli]") {
  if (!have_cli()) {
    WARN("build/bin/micro is not built: skipping the CLI tests");
    return;
  }
  // Out of order, one name with two nodes: listed once, sorted.
  const std::string reg = "zeta=127.0.0.1:9003,alpha=127.0.0.1:9001,alpha=127.0.0.1:9002";

  SECTION("micro services: each name once, sorted, exit 0") {
    auto run = run_cli(reg, {"services"});
    INFO("stdout: " << run.out << "stderr: " << run.err);
    CHECK(run.status.exited);
    CHECK(run.status.code == 0);
    CHECK(run.out == "alpha\nzeta\n");
    CHECK(run.err.empty());
  }
  SECTION("micro services takes no arguments but --nodes") {
    cli_error(reg, {"services", "alpha"}, 400);
    cli_error(reg, {"services", "--hosts"}, 400);
  }
  SECTION("micro services --nodes: a header, then one row per node, sorted") {
    auto run = run_cli(reg, {"services", "--nodes"});
    INFO("stdout: " << run.out << "stderr: " << run.err);
    CHECK(run.status.code == 0);
    // The static registry has no versions or metadata ("-" there); its node ids are made of the
    // service and the address.
    CHECK(run.out == "SERVICE  VERSION  NODE                  HOST  ADDRESS\n"
                     "alpha    -        alpha-127.0.0.1:9001  -     127.0.0.1:9001\n"
                     "alpha    -        alpha-127.0.0.1:9002  -     127.0.0.1:9002\n"
                     "zeta     -        zeta-127.0.0.1:9003   -     127.0.0.1:9003\n");
  }
  SECTION("micro describe: the nodes as text") {
    auto run = run_cli(reg, {"describe", "alpha"});
    INFO("stdout: " << run.out << "stderr: " << run.err);
    CHECK(run.status.code == 0);
    CHECK(run.out.rfind("service alpha\n", 0) == 0);
    CHECK_THAT(run.out, Catch::Contains("nodes (2)"));
    CHECK_THAT(run.out, Catch::Contains("127.0.0.1:9001"));
    CHECK_THAT(run.out, Catch::Contains("127.0.0.1:9002"));
    CHECK_THAT(run.out, !Catch::Contains("127.0.0.1:9003"));
    CHECK_THAT(run.out, Catch::Contains("endpoints (0)"));
  }
  for (auto flags : {std::vector<std::string>{"--output", "json"}, std::vector<std::string>{"--output=json"}}) {
    DYNAMIC_SECTION("micro describe " << flags.front() << ": one JSON array, one object per version") {
      std::vector<std::string> args{"describe", "alpha"};
      args.insert(args.end(), flags.begin(), flags.end());
      auto run = run_cli(reg, args);
      INFO("stdout: " << run.out << "stderr: " << run.err);
      CHECK(run.status.code == 0);
      auto doc = json::parse(run.out);
      REQUIRE(doc.is_array());
      REQUIRE(doc.size() == 1);
      CHECK(doc[0]["name"] == "alpha");
      CHECK(doc[0]["endpoints"] == json::array());
      REQUIRE(doc[0]["nodes"].size() == 2);
      CHECK(doc[0]["nodes"][0]["address"] == "127.0.0.1:9001");
      CHECK(doc[0]["nodes"][1]["address"] == "127.0.0.1:9002");
      CHECK(doc[0]["nodes"][0]["id"] != doc[0]["nodes"][1]["id"]);
      CHECK(doc[0]["nodes"][0]["metadata"].is_object());
    }
  }
  SECTION("micro describe errors") {
    auto missing = cli_error(reg, {"describe", "nosuch"}, 404);
    CHECK_THAT(missing.detail, Catch::Contains("registry static"));
    CHECK_THAT(missing.detail, Catch::Contains("nosuch"));
    CHECK_THAT(cli_error(reg, {"describe", "alpha", "--output", "yaml"}, 400).detail,
               Catch::Contains("text, json"));
    CHECK_THAT(cli_error(reg, {"describe", "alpha", "--output=yaml"}, 400).detail, Catch::Contains("yaml"));
    cli_error(reg, {"describe", "alpha", "--output"}, 400);
    cli_error(reg, {"describe"}, 400);
    cli_error(reg, {"describe", "alpha", "zeta"}, 400);
    cli_error(reg, {"describe", "alpha", "--bogus"}, 400);
  }
}
