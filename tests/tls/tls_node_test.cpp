// TLS between real processes: micro-test-server nodes serving with TLS (MICRO_TLS_*) over each
// transport that crosses hosts (tcp: micro's frames in Asio's TLS; caf: BASP in the guard's TLS
// session), called by `micro call` and micro-tls-peer processes configured as a user would,
// through a static registry entry. Every way it can go wrong is a coded error on the caller (exit
// non-zero, the error JSON on stderr), and the node keeps serving the callers that are right.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "harness.hpp"
#include "test_certs.hpp"

using namespace micro::test;
using transport_test::test_certs;
using json = nlohmann::json;

namespace {

std::map<std::string, std::string> tls_env(const std::string& cert, const std::string& key, const std::string& ca,
                                           bool mutual = false) {
  std::map<std::string, std::string> env;
  if (!cert.empty()) env["MICRO_TLS_CERT"] = cert;
  if (!key.empty()) env["MICRO_TLS_KEY"] = key;
  if (!ca.empty()) env["MICRO_TLS_CA"] = ca;
  if (mutual) env["MICRO_TLS_MUTUAL"] = "true";
  return env;
}

running_server start_tls_node(const std::string& name, std::map<std::string, std::string> env,
                              const std::string& transport = "tcp") {
  server_config cfg{name};
  cfg.env = std::move(env);
  cfg.env["MICRO_TRANSPORT"] = transport;
  cfg.env["TEST_PUBSUB_STREAM"] = "1";
  cfg.env["MICRO_TRANSPORT_HANDSHAKE_TIMEOUT"] = "2s";  // a caller without TLS is closed sooner
  return start_test_server(cfg);
}

// What a node logs when it closes a connection over TLS: the tcp transport's close log, or the
// BASP guard's.
std::string tls_close_line(const std::string& transport) {
  return transport == "tcp" ? "tls_failed" : "micro.guard: closed connection from";
}

struct cli_result {
  exit_status status;
  std::string out, err;
  // The error JSON: the line of stderr that is one.
  json error() const {
    std::size_t at = 0;
    while (at < err.size()) {
      auto end = err.find('\n', at);
      auto doc = json::parse(err.substr(at, end - at), nullptr, false);
      if (doc.is_object())
        return doc;
      at = end == std::string::npos ? err.size() : end + 1;
    }
    return json::object();
  }
};

cli_result finished(process& p);

// `micro call NAME Test.Echo {"name":"tls"}` with `env` (TLS settings), through a static entry
// (`entry`, or the node's own: its address and the metadata it advertises).
// A caller's settings: `env` (TLS), finding the node through the static entry `entry` (by
// default the node's own: its address and the metadata it advertises), one attempt per call.
std::map<std::string, std::string> caller_env(const running_server& node, std::map<std::string, std::string> env,
                                              const std::string& entry) {
  env["MICRO_REGISTRY"] = "static";
  env["MICRO_REGISTRY_ADDRESS"] = entry.empty() ? node.entry() : entry;
  env["MICRO_CLIENT_RETRIES"] = "0";
  env["MICRO_CLIENT_REQUEST_TIMEOUT"] = "5s";
  return env;
}

cli_result call(const running_server& node, std::map<std::string, std::string> env, const std::string& entry = {}) {
  process p{sibling_binary("micro"), {"call", node.name, "Test.Echo", R"({"name":"tls"})"},
            caller_env(node, std::move(env), entry)};
  return finished(p);
}

// micro-tls-peer NAME: a stream, an acknowledged publication and its delivery, with `env`.
cli_result stream_and_publish(const running_server& node, std::map<std::string, std::string> env,
                              const std::string& entry = {}) {
  // The entry advertises the node's subscription, as its registry entry would.
  process p{sibling_binary("micro-tls-peer"), {node.name},
            caller_env(node, std::move(env), (entry.empty() ? node.entry() : entry) + ";sub:test.events=*")};
  return finished(p);
}

cli_result finished(process& p) {
  cli_result r;
  auto st = p.wait(20s);
  REQUIRE(st);
  r.status = *st;
  // The process has exited, but its last lines may still be on their way from the pipe: read
  // until each stream's end (read_line returns at once then), not just what has arrived.
  std::optional<std::string> line;
  while ((line = p.read_line(stream::out, 5s)))
    r.out += *line + "\n";
  while ((line = p.read_line(stream::err, 5s)))
    r.err += *line + "\n";
  return r;
}

}  // namespace

TEST_CASE("a TLS node answers TLS callers, and refuses plaintext and strangers with a code", "[tls]") {
  auto transport = GENERATE(as<std::string>{}, "tcp", "caf");
  CAPTURE(transport);
  test_certs pki;
  auto node = start_tls_node("tls-node", tls_env(pki.node_cert(), pki.node_key(), pki.ca()), transport);

  auto ok = call(node, tls_env("", "", pki.ca()));
  INFO("stdout: " << ok.out << "stderr: " << ok.err);
  CHECK(ok.status.code == 0);
  CHECK_THAT(ok.out, Catch::Contains("Hello tls"));

  auto plain = call(node, {});
  INFO("plaintext stderr: " << plain.err);
  CHECK(plain.status.code != 0);
  CHECK(plain.error().value("code", 0) == 503);
  CHECK_THAT(plain.error().value("detail", ""), Catch::Contains("TLS"));
  if (transport == "caf") {
    // The node says it serves over TLS (tls=true), so that caller did not even dial. One that
    // ignores it (an entry without the metadata) is closed by the node's guard.
    auto blind = call(node, {}, node.name + "=" + node.address);
    INFO("blind plaintext stderr: " << blind.err);
    CHECK(blind.status.code != 0);
    CHECK(blind.error().value("code", 0) == 503);
  }
  // One line on the node for that connection.
  CHECK(node.proc->wait_for_line(stream::err, tls_close_line(transport), 10s));

  auto stranger = call(node, tls_env("", "", pki.stranger_ca()));
  INFO("stranger stderr: " << stranger.err);
  CHECK(stranger.status.code != 0);
  CHECK(stranger.error().value("code", 0) == 503);
  CHECK_THAT(stranger.error().value("detail", ""), Catch::Contains("certificate verify failed"));

  // Still serving the right callers.
  CHECK(call(node, tls_env("", "", pki.ca())).status.code == 0);
}

TEST_CASE("streams and publications ride TLS too, whichever transport takes the unary calls", "[tls]") {
  auto transport = GENERATE(as<std::string>{}, "tcp", "caf");
  CAPTURE(transport);
  test_certs pki;
  auto node = start_tls_node("tls-events", tls_env(pki.node_cert(), pki.node_key(), pki.ca()), transport);

  auto ok = stream_and_publish(node, tls_env("", "", pki.ca()));
  INFO("stdout: " << ok.out << "stderr: " << ok.err << " exit: " << ok.status.describe());
  CHECK(ok.status.code == 0);
  CHECK_THAT(ok.out, Catch::Contains("stream ok 3"));
  CHECK_THAT(ok.out, Catch::Contains("delivered"));

  // A caller without TLS that dials the node's CAF port anyway gets nothing through.
  auto plain = stream_and_publish(node, {}, node.name + "=" + node.address);
  INFO("plaintext stdout: " << plain.out << "stderr: " << plain.err << " exit: " << plain.status.describe());
  CHECK(plain.status.code == 1);  // the stream did not open
  CHECK(plain.error().value("code", 0) == 503);
  CHECK(node.proc->wait_for_line(stream::err, "micro.guard: closed connection from", 10s));
}

TEST_CASE("a mutual-TLS node wants a client certificate its CA signed", "[tls]") {
  auto transport = GENERATE(as<std::string>{}, "tcp", "caf");
  CAPTURE(transport);
  test_certs pki;
  auto node = start_tls_node("mtls-node", tls_env(pki.node_cert(), pki.node_key(), pki.ca(), true), transport);
  auto with_cert = call(node, tls_env(pki.node_cert(), pki.node_key(), pki.ca()));
  INFO("stderr: " << with_cert.err);
  CHECK(with_cert.status.code == 0);
  auto without = call(node, tls_env("", "", pki.ca()));
  INFO("stderr: " << without.err);
  CHECK(without.status.code != 0);
  CHECK(without.error().value("code", 0) == 503);
  CHECK(node.proc->wait_for_line(stream::err, tls_close_line(transport), 10s));
}

TEST_CASE("a node with an expired certificate is refused by its callers", "[tls]") {
  auto transport = GENERATE(as<std::string>{}, "tcp", "caf");
  CAPTURE(transport);
  test_certs pki;
  auto node = start_tls_node("expired-node", tls_env(pki.expired_cert(), pki.expired_key(), pki.ca()), transport);
  auto r = call(node, tls_env("", "", pki.ca()));
  INFO("stderr: " << r.err);
  CHECK(r.status.code != 0);
  CHECK_THAT(r.error().value("detail", ""), Catch::Contains("certificate has expired"));
}

TEST_CASE("TLS settings that cannot work stop a node or a caller with a clear error", "[tls]") {
  test_certs pki;
  // A node with these TLS settings; it must exit non-zero, saying `why` on its way out.
  auto refuses_to_start = [](const std::string& name, const std::map<std::string, std::string>& tls,
                             const std::string& why) {
    std::map<std::string, std::string> env = heartbeat_env();
    env.insert(tls.begin(), tls.end());
    env["MICRO_REGISTRY"] = "static";
    env["MICRO_REGISTRY_ADDRESS"] = "unused=127.0.0.1:9";
    env["MICRO_SERVER_ADDRESS"] = "127.0.0.1:0";
    process p{sibling_binary("micro-test-server"), {"--server_name", name}, env};
    auto st = p.wait(20s);
    REQUIRE(st);
    CHECK(st->code != 0);
    CHECK_THAT(p.transcript(), Catch::Contains(why));
  };
  SECTION("a node with a CA but no certificate does not start") {
    refuses_to_start("tls-nocert", tls_env("", "", pki.ca()), "MICRO_TLS_CERT");
  }
  SECTION("a node whose key file is not there does not start") {
    refuses_to_start("tls-nokey", tls_env(pki.node_cert(), pki.path("missing.key"), pki.ca()), "missing.key");
  }
  SECTION("a certificate file that is not there") {
    auto node = start_tls_node("tls-node-2", tls_env(pki.node_cert(), pki.node_key(), pki.ca()));
    auto r = call(node, tls_env(pki.path("nope.crt"), pki.node_key(), pki.ca()));
    INFO("stderr: " << r.err);
    CHECK(r.status.code != 0);
    CHECK_THAT(r.error().value("detail", ""), Catch::Contains("nope.crt"));
  }
}
