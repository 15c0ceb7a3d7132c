// `micro call -v` names the trace it started (the CLI is the edge) and the handler's span.
#include <unistd.h>

#include <regex>

#include <catch2/catch.hpp>

#include "harness.hpp"

using namespace micro::test;

TEST_CASE("micro call -v prints the traceparent it sent and the handler's", "[trace][cli]") {
  if (::access(sibling_binary("micro").c_str(), X_OK) != 0) {
    WARN("build/bin/micro is not built: skipping");
    return;
  }
  auto server = start_test_server(server_config{"trace.cli"});
  auto env = heartbeat_env();
  env["MICRO_REGISTRY"] = "static";
  env["MICRO_REGISTRY_ADDRESS"] = server.entry();
  process cli{sibling_binary("micro"), {"call", "trace.cli", "Test.Echo", R"({"name":"t"})", "-v"}, env};
  auto status = cli.wait(60s);
  REQUIRE(status);
  std::string err;
  while (auto line = cli.read_line(stream::err, 5s))
    err += *line + "\n";
  INFO(err);
  CHECK(status->code == 0);
  std::smatch sent, served;
  REQUIRE(std::regex_search(err, sent, std::regex{"^> traceparent: 00-([0-9a-f]{32})-([0-9a-f]{16})-01$",
                                                  std::regex::multiline}));
  REQUIRE(std::regex_search(err, served, std::regex{"^traceparent: 00-([0-9a-f]{32})-([0-9a-f]{16})-01$",
                                                    std::regex::multiline}));
  CHECK(sent[1] == served[1]);  // one trace
  CHECK(sent[2] != served[2]);  // the handler's own span
}
