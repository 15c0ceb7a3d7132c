// TLS on the tcp transport against a throwaway PKI (openssl CLI): frames cross inside TLS, mutual
// TLS asks the client for a certificate, and each way it can go wrong (a plaintext peer, a
// stranger's CA, an expired certificate, a missing client certificate, unreadable files) is a
// coded error on the dialling side within the handshake timeout and one logged line on the
// serving side, never a hang.
#include <catch2/catch.hpp>

#include <future>

#include "helpers.hpp"
#include "test_certs.hpp"

using namespace transport_test;

namespace {

tls_options tls(const std::string& cert, const std::string& key, const std::string& ca, bool mutual = false) {
  return tls_options{cert, key, ca, mutual};
}

struct tls_echo {
  explicit tls_echo(tls_options o) {
    transport_options options;
    options.tls = std::move(o);
    options.log = log.sink();
    options.limits.handshake_timeout = 2s;
    auto made = make_transport("tcp", options);
    REQUIRE(made.ok());
    t = made.value;
    connection_handlers h;
    h.on_frame = [](const connection_ptr& c, frame&& f) {
      f.kind = frame_kind::response;
      c->send(std::move(f));
    };
    auto l = t->listen("127.0.0.1:0", h);
    REQUIRE(l.ok());
    listener = std::move(l.value);
  }
  log_capture log;
  std::shared_ptr<transport> t;
  std::unique_ptr<micro::transport::listener> listener;
};

// Dials with `o` (no TLS when empty) and makes one call; the dial's status, or ok once answered.
status call_with(const tls_options& o, const std::string& address, std::string* body = nullptr) {
  transport_options options;
  options.tls = o;
  options.limits.handshake_timeout = 2s;
  auto made = make_transport("tcp", options);
  if (!made)
    return made.st;
  auto answer = std::make_shared<std::promise<std::string>>();
  connection_handlers h;
  h.on_frame = [answer](const connection_ptr&, frame&& f) { answer->set_value(std::move(f.body)); };
  auto c = made.value->dial(address, h);
  if (!c)
    return c.st;
  if (auto st = c.value->send(frame{frame_kind::request, 0, 7, "over tls"}); !st)
    return st;
  auto got = answer->get_future();
  if (got.wait_for(5s) != std::future_status::ready)
    return status::error(errc::io_error, "no answer");
  if (body != nullptr)
    *body = got.get();
  return {};
}

}  // namespace

TEST_CASE("tls: frames cross inside TLS, and with mutual TLS only a client with a certificate gets in", "[tls]") {
  test_certs pki;
  SECTION("server-only TLS: the client verifies the server against the CA") {
    tls_echo server{tls(pki.node_cert(), pki.node_key(), pki.ca())};
    std::string body;
    REQUIRE(call_with(tls("", "", pki.ca()), server.listener->address(), &body).ok());
    CHECK(body == "over tls");
    CHECK(server.log.lines().empty());
  }
  SECTION("mutual TLS: with the node's certificate in, without one refused and logged") {
    tls_echo server{tls(pki.node_cert(), pki.node_key(), pki.ca(), true)};
    std::string body;
    REQUIRE(call_with(tls(pki.node_cert(), pki.node_key(), pki.ca()), server.listener->address(), &body).ok());
    CHECK(body == "over tls");
    auto st = call_with(tls("", "", pki.ca()), server.listener->address());
    INFO(st.message);
    CHECK((st.code == errc::tls_failed || st.code == errc::handshake_failed || st.code == errc::closed));
    auto lines = server.log.wait_for(1);
    REQUIRE(lines.size() == 1);
    CHECK_THAT(lines[0], Catch::Contains("tls_failed"));
    CHECK_THAT(lines[0], Catch::Contains("certificate"));
  }
  SECTION("mutual TLS: a stranger's certificate is refused") {
    tls_echo server{tls(pki.node_cert(), pki.node_key(), pki.ca(), true)};
    // The stranger trusts our CA (so it accepts the server), but its own certificate is not ours.
    auto st = call_with(tls(pki.stranger_cert(), pki.stranger_key(), pki.ca()), server.listener->address());
    INFO(st.message);
    CHECK_FALSE(st.ok());
    auto lines = server.log.wait_for(1);
    REQUIRE(lines.size() == 1);
    CHECK_THAT(lines[0], Catch::Contains("tls_failed"));
  }
}

TEST_CASE("tls: a plaintext client and a TLS server, either way round, fail fast with a code", "[tls]") {
  test_certs pki;
  auto t0 = std::chrono::steady_clock::now();
  SECTION("plaintext client, TLS server") {
    tls_echo server{tls(pki.node_cert(), pki.node_key(), pki.ca())};
    auto st = call_with({}, server.listener->address());
    INFO(st.message);
    CHECK(st.code == errc::handshake_failed);
    CHECK_THAT(st.message, Catch::Contains("TLS"));
    auto lines = server.log.wait_for(1);
    REQUIRE(lines.size() == 1);
    CHECK_THAT(lines[0], Catch::Contains("tls_failed"));
  }
  SECTION("TLS client, plaintext server") {
    echo_server server{"tcp"};
    auto st = call_with(tls("", "", pki.ca()), server.address());
    INFO(st.message);
    CHECK(st.code == errc::tls_failed);
    CHECK(server.log.wait_for(1).size() == 1);  // the server saw no hello: one line
  }
  CHECK(std::chrono::steady_clock::now() - t0 < 2s);  // well within the 2 s handshake timeout
}

TEST_CASE("tls: a server certificate from another CA or expired is refused by the client", "[tls]") {
  test_certs pki;
  SECTION("another CA") {
    tls_echo server{tls(pki.stranger_cert(), pki.stranger_key(), pki.stranger_ca())};
    auto st = call_with(tls("", "", pki.ca()), server.listener->address());
    INFO(st.message);
    CHECK(st.code == errc::tls_failed);
    CHECK_THAT(st.message, Catch::Contains("certificate verify failed"));
  }
  SECTION("expired") {
    tls_echo server{tls(pki.expired_cert(), pki.expired_key(), pki.ca())};
    auto st = call_with(tls("", "", pki.ca()), server.listener->address());
    INFO(st.message);
    CHECK(st.code == errc::tls_failed);
    CHECK_THAT(st.message, Catch::Contains("certificate has expired"));
  }
}

TEST_CASE("tls: unreadable or incomplete settings are refused when the transport is made", "[tls]") {
  test_certs pki;
  auto made = [](tls_options o) {
    transport_options options;
    options.tls = std::move(o);
    return make_transport("tcp", options).st;
  };
  auto missing = made(tls(pki.path("nope.crt"), pki.node_key(), pki.ca()));
  CHECK(missing.code == errc::tls_failed);
  CHECK_THAT(missing.message, Catch::Contains("nope.crt"));
  CHECK(made(tls(pki.node_cert(), "", pki.ca())).code == errc::tls_failed);           // a certificate without its key
  CHECK(made(tls(pki.node_cert(), pki.node_key(), "")).code == errc::tls_failed);     // nothing to verify peers with
  {  // only dialling needs no certificate; serving does
    transport_options dial_only;
    dial_only.tls = tls("", "", pki.ca());
    auto t = make_transport("tcp", dial_only);
    REQUIRE(t.ok());
    CHECK(t.value->listen("127.0.0.1:0", {}).st.code == errc::tls_failed);
  }
  CHECK(made(tls(pki.node_cert(), pki.stranger_key(), pki.ca())).code == errc::tls_failed);  // key of another cert
  CHECK(made(tls(pki.node_cert(), pki.node_key(), pki.path("nope-ca.crt"))).code == errc::tls_failed);
  transport_options mem;
  mem.tls = tls(pki.node_cert(), pki.node_key(), pki.ca());
  CHECK(make_transport("memory", mem).st.code == errc::tls_failed);
}
