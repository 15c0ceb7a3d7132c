// The greeter sample, as a user runs it: two processes and the static registry.
#include <csignal>

#include <catch2/catch.hpp>

#include "harness.hpp"

using namespace micro::test;

namespace {

// greeter-server logs "service greeter (ID) listening on HOST:PORT, registry static" on stderr.
std::string greeter_address(process& server) {
  auto line = server.wait_for_line(stream::err, "listening on ", 30s);
  if (!line)
    FAIL("greeter-server did not start; its output:\n" << server.transcript());
  auto from = line->find("listening on ") + std::string{"listening on "}.size();
  auto to = line->find(',', from);
  return line->substr(from, to == std::string::npos ? std::string::npos : to - from);
}

}  // namespace

TEST_CASE("greeter-client greets through greeter-server", "[integration][sample]") {
  auto env = heartbeat_env();
  env["MICRO_REGISTRY"] = "static";
  env["MICRO_REGISTRY_ADDRESS"] = "unused=127.0.0.1:9";
  env["MICRO_SERVER_ADDRESS"] = "127.0.0.1:0";
  process server{sibling_binary("greeter-server"), {}, env};
  auto address = greeter_address(server);
  REQUIRE(address.rfind("127.0.0.1:", 0) == 0);

  auto client_env = heartbeat_env();
  client_env["MICRO_REGISTRY"] = "static";
  client_env["MICRO_REGISTRY_ADDRESS"] = "greeter=" + address;

  SECTION("the default name") {
    process client{sibling_binary("greeter-client"), {}, client_env};
    auto line = client.read_line(stream::out, 30s);
    auto exit = client.wait(30s);
    INFO("greeter-client output:\n" << client.transcript());
    REQUIRE(line.has_value());
    CHECK(*line == "Hello John");
    REQUIRE(exit.has_value());
    CHECK(exit->exited);
    CHECK(exit->code == 0);
  }
  SECTION("a name given as argument") {
    process client{sibling_binary("greeter-client"), {"Alice"}, client_env};
    auto line = client.read_line(stream::out, 30s);
    auto exit = client.wait(30s);
    INFO("greeter-client output:\n" << client.transcript());
    REQUIRE(line.has_value());
    CHECK(*line == "Hello Alice");
    REQUIRE(exit.has_value());
    CHECK(exit->code == 0);
  }
  SECTION("no server for the name: an error JSON on stderr, exit 1") {
    client_env["MICRO_REGISTRY_ADDRESS"] = "other=" + address;
    process client{sibling_binary("greeter-client"), {}, client_env};
    auto exit = client.wait(30s);
    INFO("greeter-client output:\n" << client.transcript());
    REQUIRE(exit.has_value());
    CHECK(exit->code == 1);
    auto err = client.read_line(stream::err, 1s);
    REQUIRE(err.has_value());
    auto parsed = micro::error::from_json(*err);
    REQUIRE(parsed.has_value());
    CHECK(parsed->code == 404);
  }

  REQUIRE(server.signal(SIGTERM));
  auto exit = server.wait(15s);
  INFO("greeter-server output:\n" << server.transcript());
  REQUIRE(exit.has_value());
  CHECK(exit->exited);
  CHECK(exit->code == 0);
}
