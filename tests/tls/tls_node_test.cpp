// TLS between real processes: micro-test-server nodes serving over the tcp transport with TLS
// (MICRO_TLS_*), called by `micro call` processes configured as a user would, through a static
// registry entry. Every way it can go wrong is a coded error on the caller (exit non-zero, the
// error JSON on stderr), and the node keeps serving the callers that are right.
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

running_server start_tls_node(const std::string& name, std::map<std::string, std::string> env) {
  server_config cfg{name};
  cfg.env = std::move(env);
  cfg.env["MICRO_TRANSPORT"] = "tcp";
  return start_test_server(cfg);
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

// `micro call NAME Test.Echo {"name":"tls"}` with `env` (TLS settings), through a static entry.
cli_result call(const running_server& node, std::map<std::string, std::string> env) {
  env["MICRO_REGISTRY"] = "static";
  env["MICRO_REGISTRY_ADDRESS"] = node.entry();
  env["MICRO_CLIENT_RETRIES"] = "0";
  env["MICRO_CLIENT_REQUEST_TIMEOUT"] = "5s";
  process p{sibling_binary("micro"), {"call", node.name, "Test.Echo", R"({"name":"tls"})"}, env};
  cli_result r;
  auto st = p.wait(20s);
  REQUIRE(st);
  r.status = *st;
  std::optional<std::string> line;
  while ((line = p.read_line(stream::out, 0ms)))
    r.out += *line + "\n";
  while ((line = p.read_line(stream::err, 0ms)))
    r.err += *line + "\n";
  return r;
}

}  // namespace

TEST_CASE("a TLS node answers TLS callers, and refuses plaintext and strangers with a code", "[tls]") {
  test_certs pki;
  auto node = start_tls_node("tls-node", tls_env(pki.node_cert(), pki.node_key(), pki.ca()));

  auto ok = call(node, tls_env("", "", pki.ca()));
  INFO("stdout: " << ok.out << "stderr: " << ok.err);
  CHECK(ok.status.code == 0);
  CHECK_THAT(ok.out, Catch::Contains("Hello tls"));

  auto plain = call(node, {});
  INFO("plaintext stderr: " << plain.err);
  CHECK(plain.status.code != 0);
  CHECK(plain.error().value("code", 0) == 503);
  CHECK_THAT(plain.error().value("detail", ""), Catch::Contains("TLS"));
  // One line on the node for that connection.
  CHECK(node.proc->wait_for_line(stream::err, "tls_failed", 10s));

  auto stranger = call(node, tls_env("", "", pki.stranger_ca()));
  INFO("stranger stderr: " << stranger.err);
  CHECK(stranger.status.code != 0);
  CHECK(stranger.error().value("code", 0) == 503);
  CHECK_THAT(stranger.error().value("detail", ""), Catch::Contains("certificate verify failed"));

  // Still serving the right callers.
  CHECK(call(node, tls_env("", "", pki.ca())).status.code == 0);
}

TEST_CASE("a mutual-TLS node wants a client certificate its CA signed", "[tls]") {
  test_certs pki;
  auto node = start_tls_node("mtls-node", tls_env(pki.node_cert(), pki.node_key(), pki.ca(), true));
  auto with_cert = call(node, tls_env(pki.node_cert(), pki.node_key(), pki.ca()));
  INFO("stderr: " << with_cert.err);
  CHECK(with_cert.status.code == 0);
  auto without = call(node, tls_env("", "", pki.ca()));
  INFO("stderr: " << without.err);
  CHECK(without.status.code != 0);
  CHECK(without.error().value("code", 0) == 503);
  CHECK(node.proc->wait_for_line(stream::err, "tls_failed", 10s));
}

TEST_CASE("a node with an expired certificate is refused by its callers", "[tls]") {
  test_certs pki;
  auto node = start_tls_node("expired-node", tls_env(pki.expired_cert(), pki.expired_key(), pki.ca()));
  auto r = call(node, tls_env("", "", pki.ca()));
  INFO("stderr: " << r.err);
  CHECK(r.status.code != 0);
  CHECK_THAT(r.error().value("detail", ""), Catch::Contains("certificate has expired"));
}

TEST_CASE("TLS settings that cannot work stop a node or a caller with a clear error", "[tls]") {
  test_certs pki;
  SECTION("TLS on the caf transport: the node does not start") {
    server_config cfg{"tls-caf"};
    cfg.env = tls_env(pki.node_cert(), pki.node_key(), pki.ca());
    cfg.env["MICRO_TRANSPORT"] = "caf";
    std::map<std::string, std::string> env = heartbeat_env();
    env.insert(cfg.env.begin(), cfg.env.end());
    env["MICRO_REGISTRY"] = "static";
    env["MICRO_REGISTRY_ADDRESS"] = "unused=127.0.0.1:9";
    env["MICRO_SERVER_ADDRESS"] = "127.0.0.1:0";
    process p{sibling_binary("micro-test-server"), {"--server_name", "tls-caf"}, env};
    auto st = p.wait(20s);
    REQUIRE(st);
    CHECK(st->code != 0);
    CHECK_THAT(p.transcript(), Catch::Contains("MICRO_TRANSPORT=tcp"));
  }
  SECTION("a TLS caller never calls a caf node in plaintext") {
    server_config cfg{"plain-caf"};
    cfg.env["MICRO_TRANSPORT"] = "caf";
    auto node = start_test_server(cfg);
    auto r = call(node, tls_env("", "", pki.ca()));
    INFO("stderr: " << r.err);
    CHECK(r.status.code != 0);
    CHECK(r.error().value("code", 0) == 503);
    CHECK_THAT(r.error().value("detail", ""), Catch::Contains("plaintext"));
  }
  SECTION("a certificate file that is not there") {
    auto node = start_tls_node("tls-node-2", tls_env(pki.node_cert(), pki.node_key(), pki.ca()));
    auto r = call(node, tls_env(pki.path("nope.crt"), pki.node_key(), pki.ca()));
    INFO("stderr: " << r.err);
    CHECK(r.status.code != 0);
    CHECK_THAT(r.error().value("detail", ""), Catch::Contains("nope.crt"));
  }
}
