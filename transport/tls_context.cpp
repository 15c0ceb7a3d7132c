#include "transport/tls_context.hpp"

#include <openssl/ssl.h>
#include <openssl/x509.h>

namespace micro::transport {

namespace {

status fail(const std::string& what, const asio::error_code& ec) {
  return status::error(errc::tls_failed, "tls: " + what + ": " + ec.message());
}

// TLS 1.2 and 1.3 only; the node's certificate and key, and the CA, as the options say.
result<std::shared_ptr<asio::ssl::context>> make_context(const tls_options& o, bool server) {
  auto ctx = std::make_shared<asio::ssl::context>(server ? asio::ssl::context::tls_server : asio::ssl::context::tls_client);
  asio::error_code ec;
  ctx->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 | asio::ssl::context::no_sslv3
                     | asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1 | asio::ssl::context::single_dh_use,
                   ec);
  if (!o.cert_file.empty()) {
    if (ctx->use_certificate_chain_file(o.cert_file, ec); ec)
      return {fail("cannot use certificate " + o.cert_file, ec), nullptr};
    if (ctx->use_private_key_file(o.key_file, asio::ssl::context::pem, ec); ec)
      return {fail("cannot use private key " + (o.key_file.empty() ? std::string{"(none given)"} : o.key_file), ec),
              nullptr};
  }
  if (!o.ca_file.empty())
    if (ctx->load_verify_file(o.ca_file, ec); ec)
      return {fail("cannot load CA " + o.ca_file, ec), nullptr};
  if (server)
    ctx->set_verify_mode(o.mutual ? asio::ssl::verify_peer | asio::ssl::verify_fail_if_no_peer_cert : asio::ssl::verify_none);
  else
    ctx->set_verify_mode(asio::ssl::verify_peer);
  return {{}, ctx};
}

}  // namespace

result<tls_contexts> make_tls_contexts(const tls_options& o) {
  if (o.ca_file.empty())
    return {status::error(errc::tls_failed, "tls: no CA file (MICRO_TLS_CA): a node must verify its peers"), {}};
  if (o.cert_file.empty() != o.key_file.empty())
    return {status::error(errc::tls_failed, "tls: a certificate needs its key and a key its certificate "
                                            "(MICRO_TLS_CERT, MICRO_TLS_KEY)"), {}};
  tls_contexts out;
  if (!o.cert_file.empty()) {  // a process that only dials (the CLI) needs none, unless mutual
    auto server = make_context(o, true);
    if (!server)
      return {server.st, {}};
    out.server = server.value;
  }
  auto client = make_context(o, false);
  if (!client)
    return {client.st, {}};
  out.client = client.value;
  return {{}, out};
}

result<native_tls_contexts> make_native_tls_contexts(const tls_options& o) {
  auto made = make_tls_contexts(o);
  if (!made)
    return {made.st, {}};
  // Each handle shares ownership of the Asio context that owns the SSL_CTX.
  auto native = [](const std::shared_ptr<asio::ssl::context>& ctx) {
    return ctx ? std::shared_ptr<ssl_ctx_st>{ctx, ctx->native_handle()} : nullptr;
  };
  return {{}, native_tls_contexts{native(made.value.server), native(made.value.client)}};
}

std::string describe_tls_failure(const asio::error_code& ec, SSL* ssl) {
  std::string out = ec.message();
  if (ssl != nullptr) {
    long verdict = SSL_get_verify_result(ssl);
    if (verdict != X509_V_OK)
      out += " (" + std::string{X509_verify_cert_error_string(verdict)} + ")";
  }
  return out;
}

}  // namespace micro::transport
