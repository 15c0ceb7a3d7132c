// micro::service validation, and one in-process round trip through the real stack (actor
// system, middleman on loopback, memory registry, client actor).
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

#include "micro/micro.hpp"

using Catch::Matchers::Contains;
using namespace std::chrono_literals;

namespace {

// A name no other test in this process registers.
std::string unique_name(const char* base) {
  static std::atomic<int> n{0};
  return std::string{base} + "-" + std::to_string(++n);
}

}  // namespace

TEST_CASE("a service without a name does not start", "[service]") {
  micro::service svc{micro::options{}.with_server_address("127.0.0.1:0")};
  auto st = svc.start();
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().code == 400);
  CHECK(st.error().status == "Bad Request");
  CHECK(st.error().id == "micro.service");
  CHECK_THAT(st.error().detail, Contains("name"));
  CHECK(svc.address().empty());
  CHECK(svc.stop().ok());  // nothing to stop
}

TEST_CASE("a service with an invalid server address does not start", "[service]") {
  for (const char* address : {"nonsense", "127.0.0.1:", "127.0.0.1:70000", "127.0.0.1:http", ":8080"}) {
    INFO(address);
    micro::service svc{micro::options{}.with_name(unique_name("bad-address")).with_server_address(address)};
    auto st = svc.start();
    REQUIRE_FALSE(st.ok());
    CHECK(st.error().code == 400);
    CHECK(st.error().id == "micro.service");
    CHECK_THAT(st.error().detail, Contains(address));
    CHECK(svc.address().empty());
  }
}

TEST_CASE("a service serves a call in process and deregisters on stop", "[service]") {
  // Over each transport a node can take calls on (the client follows the node's metadata).
  auto transport = GENERATE(as<std::string>{}, "caf", "tcp", "memory");
  INFO("transport " << transport);
  auto name = unique_name("unit-echo");
  micro::options opts;
  opts.with_name(name).with_server_address("127.0.0.1:0").with_registry("memory", "test-micro-unit");
  opts.with_transport(transport);
  opts.request_timeout = 10s;
  micro::service svc{opts};
  svc.server().handle("Echo.Call", [](const micro::context& ctx, const nlohmann::json& req, nlohmann::json& rsp) {
    rsp["echo"] = req.at("text");
    rsp["endpoint"] = ctx.endpoint();
    rsp["trace"] = ctx.get("trace").value_or("none");
  });
  svc.server().handle("Echo.Fail", [](const micro::context&, const nlohmann::json&, nlohmann::json&) {
    throw micro::errors::conflict("unit-echo", "already there");
  });
  auto st = svc.start();
  REQUIRE(st.ok());
  CHECK_THAT(svc.address(), Contains("127.0.0.1:"));
  CHECK(svc.address() != "127.0.0.1:0");
  CHECK_THAT(svc.node_id(), Contains(name));
  if (transport != "caf")
    CHECK(svc.node_metadata()["transport"] == transport);
  else
    CHECK(svc.node_metadata().count("transport") == 0);

  auto& cli = svc.client();
  auto nodes = cli.resolve(name);
  REQUIRE(nodes.ok());
  CHECK(*nodes == std::vector<std::string>{svc.address()});

  auto rsp = cli.call<nlohmann::json>(name, "Echo.Call", nlohmann::json{{"text", "hi"}},
                                      micro::call_options{}.with_metadata("trace", "t-1"));
  INFO((rsp.ok() ? std::string{} : rsp.error().to_json()));
  REQUIRE(rsp.ok());
  CHECK(rsp->at("echo") == "hi");
  CHECK(rsp->at("endpoint") == "Echo.Call");
  CHECK(rsp->at("trace") == "t-1");

  auto failed = cli.call<nlohmann::json>(name, "Echo.Fail", nlohmann::json::object());
  REQUIRE_FALSE(failed.ok());
  CHECK(failed.error().code == 409);
  CHECK(failed.error().id == "unit-echo");
  CHECK(failed.error().detail == "already there");

  auto missing = cli.call<nlohmann::json>(name, "Echo.Nope", nlohmann::json::object());
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().code == 404);

  REQUIRE(svc.stop().ok());
  CHECK(svc.stop().ok());  // idempotent
  // The client's cache learns of the deregistration from the registry's delete event, on the
  // watcher's thread: await it (bounded) rather than expect it synchronously.
  auto gone = cli.resolve(name);
  for (auto until = std::chrono::steady_clock::now() + 5s; gone.ok() && std::chrono::steady_clock::now() < until;) {
    std::this_thread::sleep_for(2ms);
    gone = cli.resolve(name);
  }
  REQUIRE_FALSE(gone.ok());
  CHECK(gone.error().code == 404);
}
