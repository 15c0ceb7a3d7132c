// `micro mcp --http` with libcurl: the JSON-RPC answers a client sees (initialize, tools/list
// with an allow-list, tools/call and its errors, bad input, the rate limit). The reference SDK's
// client is in mcp_sdk_test.sh.
#include <catch2/catch.hpp>

#include "curl_client.hpp"
#include "harness.hpp"

using namespace micro::test;

namespace {

struct running_mcp {
  std::unique_ptr<process> proc;
  std::string url;  // http://127.0.0.1:PORT/mcp
};

// The static registry lists an entry's endpoints only where it names them.
std::string entry_with_endpoints(const running_server& srv) {
  return srv.entry() + ";idempotent=Test.Echo;idempotent=Test.Fail;idempotent=Test.Sleep";
}

running_mcp start_mcp(const std::string& registry, std::vector<std::string> args = {}) {
  std::vector<std::string> argv{"mcp", "--http", "127.0.0.1:0"};
  argv.insert(argv.end(), args.begin(), args.end());
  auto env = heartbeat_env();
  env["MICRO_REGISTRY"] = "static";
  env["MICRO_REGISTRY_ADDRESS"] = registry;
  running_mcp m;
  m.proc = std::make_unique<process>(sibling_binary("micro"), argv, env);
  auto line = m.proc->wait_for_line(stream::err, "micro mcp: listening on ", 30s);
  if (!line)
    FAIL("micro mcp did not start:\n" << m.proc->transcript());
  auto at = line->find("http://");
  m.url = line->substr(at, line->find(' ', at) - at);
  return m;
}

json rpc(const running_mcp& m, const json& msg, http_result* raw = nullptr) {
  auto r = post(m.url, msg.dump(), {"Content-Type: application/json", "Accept: application/json, text/event-stream"});
  if (raw != nullptr)
    *raw = r;
  return json::parse(r.body, nullptr, false);
}

json call(int id, const std::string& method, json params = json::object()) {
  return {{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", std::move(params)}};
}

}  // namespace

TEST_CASE("micro mcp offers every endpoint as a tool and calls it", "[mcp]") {
  auto srv = start_test_server(server_config{"test"});
  auto m = start_mcp(entry_with_endpoints(srv));
  http_result raw;
  auto init = rpc(m, call(1, "initialize", {{"protocolVersion", "2025-06-18"}, {"capabilities", json::object()},
                                            {"clientInfo", {{"name", "t"}, {"version", "1"}}}}), &raw);
  CHECK(init["result"]["protocolVersion"] == "2025-06-18");
  CHECK(init["result"]["capabilities"]["tools"]["listChanged"] == true);
  CHECK_FALSE(raw.headers["mcp-session-id"].empty());
  // A notification is accepted with nothing to answer.
  auto note = post(m.url, R"({"jsonrpc":"2.0","method":"notifications/initialized"})", {"Content-Type: application/json"});
  CHECK(note.status == 202);
  auto list = rpc(m, call(2, "tools/list"));
  std::vector<std::string> names;
  for (auto& t : list["result"]["tools"]) {
    names.push_back(t["name"]);
    CHECK(t["inputSchema"]["type"] == "object");
  }
  CHECK(names == std::vector<std::string>{"test.Test.Echo", "test.Test.Fail", "test.Test.Sleep"});
  auto ok = rpc(m, call(3, "tools/call", {{"name", "test.Test.Echo"}, {"arguments", {{"name", "John"}}}}));
  CHECK(ok["result"]["isError"] == false);
  CHECK(json::parse(ok["result"]["content"][0]["text"].get<std::string>()) == json{{"msg", "Hello John"}});
  // A failing call is a tool result with isError and go-micro's error JSON, not a protocol error.
  auto failed = rpc(m, call(4, "tools/call", {{"name", "test.Test.Fail"}, {"arguments", json::object()}}));
  CHECK(failed["result"]["isError"] == true);
  CHECK(json::parse(failed["result"]["content"][0]["text"].get<std::string>()).value("code", 0) == 409);
  // A batch gets one array of answers.
  auto batch = rpc(m, json::array({call(5, "ping"), call(6, "tools/list")}));
  CHECK(batch.is_array());
  CHECK(batch.size() == 2);
}

TEST_CASE("micro mcp answers bad input with JSON-RPC errors", "[mcp]") {
  auto srv = start_test_server(server_config{"test"});
  auto m = start_mcp(entry_with_endpoints(srv), {"--timeout", "200ms"});
  auto parse = json::parse(post(m.url, "{nope", {"Content-Type: application/json"}).body);
  CHECK(parse["error"]["code"] == -32700);
  CHECK(rpc(m, call(1, "no/such/method"))["error"]["code"] == -32601);
  CHECK(rpc(m, call(2, "tools/call", {{"name", "nosuch.Tool.Call"}}))["error"]["code"] == -32602);
  CHECK(rpc(m, call(3, "tools/call", {{"arguments", json::object()}}))["error"]["code"] == -32602);
  CHECK(rpc(m, call(4, "tools/call", {{"name", "test.Test.Echo"}, {"arguments", "text"}}))["error"]["code"] == -32602);
  CHECK(rpc(m, json{{"id", 5}, {"method", "ping"}})["error"]["code"] == -32600);  // no "jsonrpc": "2.0"
  // The deadline: a call that takes longer is a 408 result.
  auto slow = rpc(m, call(6, "tools/call", {{"name", "test.Test.Sleep"}, {"arguments", {{"ms", 2000}}}}));
  CHECK(slow["result"]["isError"] == true);
  CHECK(json::parse(slow["result"]["content"][0]["text"].get<std::string>()).value("code", 0) == 408);
  http_call get_plain;
  get_plain.url = m.url;
  CHECK(fetch(get_plain).status == 406);  // GET streams notifications only to who accepts SSE
}

TEST_CASE("micro mcp offers only what --allow names and calls no faster than --rate", "[mcp]") {
  auto srv = start_test_server(server_config{"test"});
  auto m = start_mcp(entry_with_endpoints(srv), {"--allow", "test.Test.Echo", "--rate", "2"});
  auto list = rpc(m, call(1, "tools/list"));
  REQUIRE(list["result"]["tools"].size() == 1);
  CHECK(list["result"]["tools"][0]["name"] == "test.Test.Echo");
  CHECK(rpc(m, call(2, "tools/call", {{"name", "test.Test.Fail"}}))["error"]["code"] == -32602);
  int limited = 0;
  for (int i = 0; i < 5; ++i) {
    auto r = rpc(m, call(10 + i, "tools/call", {{"name", "test.Test.Echo"}, {"arguments", {{"name", "x"}}}}));
    if (r["result"]["isError"] == true
        && json::parse(r["result"]["content"][0]["text"].get<std::string>()).value("code", 0) == 429)
      ++limited;
  }
  CHECK(limited >= 2);  // a bucket of 2 calls, refilled at 2 per second
}
