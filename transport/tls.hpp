#pragma once
// TLS settings of a transport: which certificate a node shows, which CA it trusts, and whether
// it asks the other side for a certificate too (mutual TLS). Files are PEM. A node both serves
// and dials, so one set serves both directions:
//   serving: shows cert_file/key_file; with `mutual`, requires a client certificate signed by
//     ca_file and refuses the connection otherwise;
//   dialling: verifies the server's certificate chain against ca_file (always, once TLS is on),
//     and shows cert_file/key_file when it has them (a mutual-TLS server asks for them). A
//     process that only dials (the CLI) needs just ca_file, unless the servers want mutual TLS.
// What is verified: the chain up to ca_file and the validity dates. What is not: the host name
// in the certificate (nodes are dialled by the address the registry gives, often an IP); so any
// certificate the CA signed is accepted from any node. Keep the CA to the cluster.

#include <memory>
#include <string>

#include "transport/status.hpp"

struct ssl_ctx_st;  // OpenSSL's SSL_CTX

namespace micro::transport {

struct tls_options {
  std::string cert_file;  // this node's certificate (chain), PEM
  std::string key_file;   // its private key, PEM
  std::string ca_file;    // the CA that signs the cluster's certificates, PEM
  bool mutual = false;    // serving: require and verify a client certificate

  /// TLS is on once a CA or a certificate is given.
  bool enabled() const { return !ca_file.empty() || !cert_file.empty(); }
};

/// OpenSSL contexts made from tls_options, for code that drives OpenSSL itself (the caf
/// transport's TLS, actors/basp_tls.hpp): the same settings and checks as the tcp backend's.
struct native_tls_contexts {
  std::shared_ptr<ssl_ctx_st> server;  // accepted connections; null without a certificate
  std::shared_ptr<ssl_ctx_st> client;  // dialled connections
};

/// A file that cannot be read, a key that does not match its certificate, no CA: errc::tls_failed
/// naming it.
result<native_tls_contexts> make_native_tls_contexts(const tls_options& options);

}  // namespace micro::transport
