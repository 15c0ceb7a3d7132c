// `micro api` with libcurl in front of micro-test-server and micro-stream-test-server: calls,
// every status mapping, metadata and deadlines from headers, limits, SSE streams, publish, CORS,
// a service killed mid-request and 1,000 keep-alive connections at once.
#include <unistd.h>

#include <csignal>
#include <future>

#include <catch2/catch.hpp>

#include "curl_client.hpp"
#include "gateway.hpp"

using namespace micro::test;

namespace {

int code_of(const http_result& r) {
  auto j = json::parse(r.body, nullptr, false);
  return j.is_object() ? j.value("code", 0) : -1;
}

}  // namespace

TEST_CASE("micro api calls a service with a JSON body and answers its JSON", "[api]") {
  auto srv = start_test_server(server_config{"test"});
  auto gw = start_gateway(srv.entry());
  auto r = post(gw.url + "/test/Test/Echo", R"({"name":"John"})", {"Content-Type: application/json"});
  CHECK(r.status == 200);
  CHECK(json::parse(r.body) == json{{"msg", "Hello John"}});
  CHECK(r.headers["content-type"] == "application/json");
  CHECK(r.headers.count("micro-node") == 1);  // the answering node, from the response metadata
  // The short form, and curl's default form content type with a JSON body.
  auto short_form = post(gw.url + "/test/echo", R"({"name":"J"})");
  CHECK(short_form.status == 200);
  CHECK(json::parse(short_form.body) == json{{"msg", "Hello J"}});
  // An empty body is {}.
  CHECK(post(gw.url + "/test/Test/Count", "").status == 200);
}

TEST_CASE("micro api passes Micro-* headers and traceparent as metadata", "[api]") {
  auto srv = start_test_server(server_config{"test"});
  auto gw = start_gateway(srv.entry());
  auto r = post(gw.url + "/test/Test/Metadata", "{}",
                {"Micro-Trace-Id: abc", "traceparent: 00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
                 "X-Other: not passed"});
  REQUIRE(r.status == 200);
  auto md = json::parse(r.body);
  CHECK(md.value("trace-id", "") == "abc");
  // The trace goes on; the handler's own span is a child of the one the header named.
  CHECK(md.value("traceparent", "").rfind("00-0af7651916cd43dd8448eb211c80319c-", 0) == 0);
  CHECK(md.value("traceparent", "") != "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
  CHECK(md.value("micro-parent-span", "") == "b7ad6b7169203331");
  CHECK_FALSE(md.contains("x-other"));
}

TEST_CASE("micro api maps every error to its HTTP status with go-micro's error JSON", "[api]") {
  auto srv = start_test_server(server_config{"test"});
  auto gw = start_gateway(srv.entry(), {"--max_body", "1KiB"});
  struct expectation {
    std::string path, body;
    std::vector<std::string> headers;
    int status;
  };
  const std::vector<expectation> cases{
    {"/test/Test/Nope", "{}", {}, 404},                        // unknown endpoint
    {"/nosuch/Foo/Bar", "{}", {}, 404},                        // unknown service
    {"/only-one-segment", "{}", {}, 404},                      // not a service path
    {"/test/Test/Throw", "{}", {}, 500},                       // handler failed
    {"/test/Test/Fail", "{}", {}, 409},                        // the handler's own code
    {"/test/Test/Sleep", R"({"ms":2000})", {"Micro-Timeout: 100ms"}, 408},
    {"/test/Test/Sleep", R"({"ms":2000})", {"Timeout: 0"}, 400},  // a bad deadline header
    {"/test/Test/Echo", "{not json", {}, 400},
    {"/test/Test/Echo", "<a/>", {"Content-Type: text/xml"}, 400},
    {"/test/Test/Echo", std::string(4096, ' '), {}, 413},      // over --max_body
  };
  for (auto& c : cases) {
    auto r = post(gw.url + c.path, c.body, c.headers);
    INFO(c.path << " " << c.body.substr(0, 40) << " -> " << r.status << " " << r.body);
    CHECK(r.status == c.status);
    CHECK(code_of(r) == c.status);
    CHECK(json::parse(r.body).contains("detail"));
  }
  http_call put;
  put.method = "PUT";
  put.url = gw.url + "/test/Test/Echo";
  CHECK(fetch(put).status == 405);
  // None of that hurt it.
  CHECK(post(gw.url + "/test/Test/Echo", R"({"name":"x"})").status == 200);
}

TEST_CASE("micro api answers 503 when the service dies mid-request", "[api]") {
  auto srv = start_test_server(server_config{"test"});
  auto gw = start_gateway(srv.entry());
  http_result r;
  joining_thread caller{[&] { r = post(gw.url + "/test/Test/Sleep", R"({"ms":5000})"); }};
  REQUIRE(srv.proc->wait_for_line(stream::out, "sleeping 5000", 10s));
  srv.proc->kill();
  caller.join();
  CHECK(r.status == 503);
  CHECK(code_of(r) == 503);
  // Nothing left to call: still a coded answer, quickly.
  auto again = post(gw.url + "/test/Test/Echo", "{}");
  CHECK(again.status == 503);
}

TEST_CASE("micro api refuses requests beyond --max_concurrency with 503", "[api]") {
  auto srv = start_test_server(server_config{"test"});
  auto gw = start_gateway(srv.entry(), {"--max_concurrency", "2", "--workers", "2"});
  std::vector<http_result> slow(2);
  {
    std::vector<joining_thread> callers;
    for (auto& r : slow)
      callers.emplace_back([&r, &gw] { r = post(gw.url + "/test/Test/Sleep", R"({"ms":1500})"); });
    REQUIRE(srv.proc->wait_for_line(stream::out, "sleeping 1500", 10s));
    REQUIRE(srv.proc->wait_for_line(stream::out, "sleeping 1500", 10s));
    auto refused = post(gw.url + "/test/Test/Echo", "{}");
    CHECK(refused.status == 503);
    CHECK(refused.body.find("too many requests") != std::string::npos);
  }
  for (auto& r : slow)
    CHECK(r.status == 200);
}

TEST_CASE("micro api streams a server stream as Server-Sent Events", "[api]") {
  server_config cfg{"stream-test"};
  cfg.binary = "micro-stream-test-server";
  auto srv = start_test_server(cfg);
  auto gw = start_gateway(srv.entry());
  auto r = post(gw.url + "/stream-test/Stream/Count", R"({"count":5,"size":3})", {"Accept: text/event-stream"});
  CHECK(r.status == 200);
  CHECK(r.headers["content-type"] == "text/event-stream");
  std::string expected;
  for (int i = 0; i < 5; ++i)
    expected += "data: " + json{{"i", i}, {"pad", "ppp"}}.dump() + "\n\n";
  expected += "event: end\ndata: {}\n\n";
  CHECK(r.body == expected);
  // A failing stream ends with an error event carrying the error's JSON.
  auto failed = post(gw.url + "/stream-test/Stream/Fail", "{}", {"Accept: text/event-stream"});
  CAPTURE(failed.status, failed.body);
  CHECK(failed.body.find("event: error\ndata: {") != std::string::npos);
  // No such stream endpoint: a plain error answer.
  auto missing = post(gw.url + "/stream-test/Stream/Nope", "{}", {"Accept: text/event-stream"});
  CHECK(missing.status == 404);
}

TEST_CASE("micro api cancels the stream when the SSE client hangs up", "[api]") {
  server_config cfg{"stream-test"};
  cfg.binary = "micro-stream-test-server";
  auto srv = start_test_server(cfg);
  auto gw = start_gateway(srv.entry());
  http_call c;
  c.method = "POST";
  c.url = gw.url + "/stream-test/Stream/Count";
  c.body = R"({"count":1000000,"size":16})";
  c.headers = {"Accept: text/event-stream"};
  std::size_t seen = 0;
  c.on_data = [&seen](const std::string&) { return ++seen < 3; };  // hang up after a few pieces
  auto r = fetch(c);
  CHECK(r.status == 200);
  // The server sees its stream end (cancelled), instead of sending a million messages.
  auto end = srv.proc->wait_for_line(stream::out, "\"endpoint\":\"Stream.Count\"", 20s);
  REQUIRE(end.has_value());
  CHECK(json::parse(*end).value("code", 0) != 0);
}

TEST_CASE("micro api publishes with POST /publish/TOPIC", "[api]") {
  auto srv = start_test_server(server_config{"test"});
  auto gw = start_gateway(srv.entry());
  auto r = post(gw.url + "/publish/api.test.topic", R"({"id":"1"})");
  CHECK(r.status == 200);  // nobody subscribed: delivered to no one, as in go-micro
  CHECK(r.body == "{}");
  CHECK(post(gw.url + "/publish/api.test.topic", "{oops").status == 400);
  CHECK(post(gw.url + "/publish/", "{}").status == 404);
}

TEST_CASE("micro api sends CORS headers only to the origins it is told", "[api]") {
  auto srv = start_test_server(server_config{"test"});
  auto gw = start_gateway(srv.entry(), {"--cors", "http://app.example"});
  auto allowed = post(gw.url + "/test/Test/Echo", "{}", {"Origin: http://app.example"});
  CHECK(allowed.headers["access-control-allow-origin"] == "http://app.example");
  auto other = post(gw.url + "/test/Test/Echo", "{}", {"Origin: http://evil.example"});
  CHECK(other.headers.count("access-control-allow-origin") == 0);
  http_call preflight;
  preflight.method = "OPTIONS";
  preflight.url = gw.url + "/test/Test/Echo";
  preflight.headers = {"Origin: http://app.example", "Access-Control-Request-Method: POST",
                       "Access-Control-Request-Headers: content-type, micro-trace-id"};
  auto pre = fetch(preflight);
  CHECK(pre.status == 204);
  CHECK(pre.headers["access-control-allow-origin"] == "http://app.example");
  CHECK(pre.headers["access-control-allow-headers"] == "content-type, micro-trace-id");
}

TEST_CASE("micro api serves 1000 concurrent keep-alive connections", "[api]") {
  auto srv = start_test_server(server_config{"test"});
  auto gw = start_gateway(srv.entry(), {"--max_concurrency", "4096"});
  http_call c;
  c.method = "POST";
  c.url = gw.url + "/test/Test/Echo";
  c.body = R"({"name":"many"})";
  c.timeout = 60s;
  auto results = fetch_concurrently(c, 1000, 3);
  REQUIRE(results.size() == 3000);
  std::size_t ok = 0;
  for (auto& r : results)
    ok += r.status == 200 && r.body == R"({"msg":"Hello many"})";
  CHECK(ok == 3000);
  CHECK(get(gw.url + "/health").status == 200);
}

TEST_CASE("micro api streams a topic subscription as Server-Sent Events", "[api]") {
  auto gw = start_mdns_gateway();
  const auto topic = "api.sse." + std::to_string(::getpid());
  std::promise<void> subscribed;
  bool said_subscribed = false;
  http_call c;
  c.url = gw.url + "/subscribe/" + topic;
  c.timeout = 30s;
  std::string seen;
  c.on_data = [&](const std::string& piece) {
    seen += piece;
    if (!said_subscribed && seen.find("event: subscribed\n") != std::string::npos) {
      said_subscribed = true;
      subscribed.set_value();
    }
    return seen.find("data: {\"n\":2}") == std::string::npos;  // hang up after the second
  };
  http_result r;
  joining_thread reader{[&] { r = fetch(c); }};
  REQUIRE(subscribed.get_future().wait_for(20s) == std::future_status::ready);
  CHECK(post(gw.url + "/publish/" + topic, R"({"n":1})").status == 200);
  CHECK(post(gw.url + "/publish/" + topic, R"({"n":2})").status == 200);
  reader.join();
  CHECK(r.status == 200);
  CHECK(r.headers["content-type"] == "text/event-stream");
  auto first = r.body.find("data: {\"n\":1}\n\n");
  auto second = r.body.find("data: {\"n\":2}\n\n");
  CHECK(first != std::string::npos);
  CHECK(second != std::string::npos);
  CHECK(first < second);
  CHECK(get(gw.url + "/health").status == 200);
}
