// A service's HTTP listener (MICRO_HTTP_ADDRESS) seen with libcurl: /health and /ready the way
// Kubernetes probes read them, through a drain, and bad requests answered without harm.
#include <csignal>

#include <catch2/catch.hpp>

#include "curl_client.hpp"
#include "harness.hpp"

using namespace micro::test;

namespace {

// The test server with an HTTP listener on a free loopback port; its "host:port".
std::string start_with_http(running_server& srv) {
  auto line = srv.proc->wait_for_line(stream::err, "http listening on ", 30s);
  if (!line)
    FAIL("no HTTP listener; output:\n" << srv.proc->transcript());
  auto at = line->find("http listening on ") + 18;
  return line->substr(at, line->find(' ', at) - at);
}

running_server http_server(std::map<std::string, std::string> env = {}) {
  server_config cfg{"health-test"};
  cfg.env = std::move(env);
  cfg.env["MICRO_HTTP_ADDRESS"] = "127.0.0.1:0";
  return start_test_server(cfg);
}

}  // namespace

TEST_CASE("a service answers /health and /ready over HTTP once registered", "[http]") {
  auto srv = http_server();
  auto http = start_with_http(srv);
  auto live = get("http://" + http + "/health");
  CHECK(live.status == 200);
  CHECK(json::parse(live.body) == json{{"status", "ok"}});
  CHECK(live.headers["content-type"] == "application/json");
  auto ready = get("http://" + http + "/ready");
  CHECK(ready.status == 200);
  CHECK(json::parse(ready.body) == json{{"status", "ready"}});
  // Unknown paths are a 404 in go-micro's error JSON.
  auto missing = get("http://" + http + "/nope");
  CHECK(missing.status == 404);
  CHECK(json::parse(missing.body).value("code", 0) == 404);
}

TEST_CASE("/ready turns 503 while the service drains and /health stays 200", "[http]") {
  auto srv = http_server({{"MICRO_SERVER_DRAIN_TIMEOUT", "20s"}});
  auto http = start_with_http(srv);
  auto client = make_client(srv);
  joining_thread caller{[&] {
    auto out = client->call<json>("health-test", "Test.Sleep", json{{"ms", 1500}});
    CHECK(static_cast<bool>(out));
  }};
  REQUIRE(srv.proc->wait_for_line(stream::out, "sleeping 1500", 10s));
  srv.proc->signal(SIGTERM);  // deregisters, then waits for the sleeping call
  // The probe flips as soon as the stop begins; poll, as a kubelet would.
  long ready = 200;
  for (int i = 0; i < 200 && ready == 200; ++i) {
    ready = get("http://" + http + "/ready").status;
    if (ready == 200)
      std::this_thread::sleep_for(5ms);  // polling a probe, as Kubernetes does
  }
  CHECK(ready == 503);
  CHECK(get("http://" + http + "/health").status == 200);
  caller.join();
  auto end = srv.proc->wait(20s);
  REQUIRE(end.has_value());
  CHECK(end->code == 0);
  // Gone with the process: nothing answers any more.
  CHECK(get("http://" + http + "/health").status == 0);
}

TEST_CASE("the HTTP listener refuses bad requests with coded errors and keeps serving", "[http]") {
  auto srv = http_server();
  auto http = start_with_http(srv);
  SECTION("a body over the limit is a 413") {
    auto r = post("http://" + http + "/health", std::string(2u << 20, 'x'));
    CHECK(r.status == 413);
    CHECK(json::parse(r.body).value("code", 0) == 413);
  }
  SECTION("a chunked body over the limit is a 413") {
    auto r = post("http://" + http + "/health", std::string(2u << 20, 'x'), {"Transfer-Encoding: chunked"});
    CHECK(r.status == 413);
  }
  SECTION("a client that waits for 100 Continue gets it") {
    http_call c;
    c.method = "POST";
    c.url = "http://" + http + "/health";
    c.body = std::string(512u << 10, 'x');
    c.expect_continue = true;
    c.timeout = 10s;  // without the 100 the client would wait all of it, then fail
    auto r = fetch(c);
    CHECK(r.status == 200);
  }
  SECTION("an oversized header is refused") {
    auto r = post("http://" + http + "/health", "{}", {"X-Big: " + std::string(100000, 'h')});
    CHECK(r.status == 431);
  }
  CHECK(get("http://" + http + "/health").status == 200);
}

TEST_CASE("a bad MICRO_HTTP_ADDRESS stops the service with a 400", "[http]") {
  std::map<std::string, std::string> env{{"MICRO_HTTP_ADDRESS", "nowhere"},
                                         {"MICRO_REGISTRY", "static"},
                                         {"MICRO_REGISTRY_ADDRESS", "unused=127.0.0.1:9"}};
  process p{sibling_binary("micro-test-server"), {"--server_name", "bad-http"}, env};
  auto end = p.wait(30s);
  REQUIRE(end.has_value());
  CHECK(end->code == 2);
  CHECK(p.transcript().find("http_address") != std::string::npos);
}

TEST_CASE("without MICRO_HTTP_ADDRESS a service opens no HTTP listener", "[http]") {
  auto srv = start_test_server(server_config{"no-http"});
  srv.proc->signal(SIGTERM);
  REQUIRE(srv.proc->wait(20s).has_value());
  CHECK(srv.proc->transcript().find("http listening") == std::string::npos);
}

TEST_CASE("a service serves the gateway on its own HTTP listener", "[http]") {
  server_config cfg{"embedded"};
  cfg.binary = "micro-api-embedded-server";
  cfg.env["MICRO_HTTP_ADDRESS"] = "127.0.0.1:0";
  cfg.env["MICRO_REGISTRY"] = "memory";  // the service finds itself in its own process
  auto srv = start_test_server(cfg);
  auto http = start_with_http(srv);
  CHECK(get("http://" + http + "/ready").status == 200);  // exact routes keep precedence
  auto r = post("http://" + http + "/embedded/Embedded/Hello", R"({"name":"inside"})");
  CHECK(r.status == 200);
  CHECK(json::parse(r.body) == json{{"msg", "Hello inside"}});
  CHECK(post("http://" + http + "/embedded/Embedded/Nope", "{}").status == 404);
}
