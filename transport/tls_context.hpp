#pragma once
// The OpenSSL contexts of the tcp backend, made from tls_options (private to transport/: Asio's
// SSL headers stay out of every public header). Made once per transport; a file that cannot be
// read or a key that does not match its certificate is an errc::tls_failed naming the file.

#include <memory>

#include <asio/ssl/context.hpp>

#include "transport/status.hpp"
#include "transport/tls.hpp"

namespace micro::transport {

struct tls_contexts {
  std::shared_ptr<asio::ssl::context> server;  // accepted connections; null without a certificate
  std::shared_ptr<asio::ssl::context> client;  // dialled connections
};

result<tls_contexts> make_tls_contexts(const tls_options& options);

/// Why a handshake failed, for people: OpenSSL's reason, and the certificate check's verdict
/// ("certificate has expired", "unable to get local issuer certificate") when that was it.
std::string describe_tls_failure(const asio::error_code& ec, SSL* ssl);

}  // namespace micro::transport
