#pragma once
// TLS under BASP: how the `caf` transport's bytes are encrypted when a process has TLS on
// (MICRO_TLS_*). The guard (basp_guard.cpp) gives every BASP connection a stream whose policy is
// `basp_stream_policy`: plain TCP as CAF's own, or OpenSSL over the same non-blocking socket.
//
// Why not CAF's OpenSSL module (libcaf-openssl): its sessions build a new SSL_CTX per connection
// (reading the certificate files each time), with authentication on they always require client
// certificates (no server-only TLS), without it they fall back to anonymous ciphers, handshake
// failures are silent, and its scribes cannot carry the guard's checks. Here the contexts are the
// tcp transport's (transport/tls_context: one per process, the same verification rules), and
// both transports fail in the same words.
//
// Everything here runs on the middleman's multiplexer thread, except `start_client` (the middleman
// actor, when it dials).

#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "caf/io/network/native_socket.hpp"
#include "caf/io/network/rw_state.hpp"

struct ssl_st;
struct ssl_ctx_st;

namespace micro::actors {

/// One TLS connection under BASP.
class basp_tls_session {
 public:
  enum class role { client, server };

  /// A session on `fd` (already connected or accepted, non-blocking). Null with `why` when
  /// OpenSSL cannot make one.
  static std::shared_ptr<basp_tls_session> make(ssl_ctx_st* ctx, role r, caf::io::network::native_socket fd,
                                                std::string& why);
  ~basp_tls_session();
  basp_tls_session(const basp_tls_session&) = delete;
  basp_tls_session& operator=(const basp_tls_session&) = delete;

  /// Client: sends the ClientHello now. BASP's dialling side waits for the server's handshake
  /// before it writes anything, and the TLS server waits for the ClientHello: without this,
  /// neither would start. False (with failure()) if the connection is already unusable.
  bool start_client();

  caf::io::network::rw_state read_some(size_t& result, void* buf, size_t len);
  caf::io::network::rw_state write_some(size_t& result, const void* buf, size_t len);
  /// Decrypted bytes OpenSSL holds that the socket will not announce again.
  size_t pending() const;

  bool established() const { return established_; }
  /// Why the connection failed ("" while it has not, or when the peer just closed it).
  const std::string& failure() const { return failure_; }

  /// Runs once, on the multiplexer, when the handshake completes (the scribe then sends what
  /// BASP queued meanwhile).
  void on_established(std::function<void()> f) { on_established_ = std::move(f); }
  /// Runs once when the handshake or a record fails, with the reason (OpenSSL's, and the
  /// certificate check's verdict when that was it).
  void on_failure(std::function<void(const std::string&)> f) { on_failure_ = std::move(f); }

 private:
  basp_tls_session(ssl_st* ssl, role r) : ssl_(ssl), role_(r) {}
  caf::io::network::rw_state outcome(int ret, size_t& result);
  void check_established();
  void fail(std::string why);

  ssl_st* ssl_;
  role role_;
  bool established_ = false;
  bool failed_ = false;
  std::string failure_;
  std::function<void()> on_established_;
  std::function<void(const std::string&)> on_failure_;
};

/// The byte policy of every guarded BASP stream (caf::io::network::stream_impl's Policy):
/// CAF's plain TCP without a session, TLS with one.
struct basp_stream_policy {
  explicit basp_stream_policy(std::shared_ptr<basp_tls_session> session = nullptr, size_t* unsent_out = nullptr)
      : tls(std::move(session)), unsent(unsent_out) {}

  caf::io::network::rw_state read_some(size_t& result, caf::io::network::native_socket fd, void* buf, size_t len);
  caf::io::network::rw_state write_some(size_t& result, caf::io::network::native_socket fd, const void* buf,
                                        size_t len);
  bool must_read_more(caf::io::network::native_socket fd, size_t threshold);

  std::shared_ptr<basp_tls_session> tls;
  // Where to note the bytes of the buffer being written that the socket did not take at the last
  // write: CAF's stream hides that buffer, and a backlog check must count it (up to as much again
  // as the buffer it does show).
  size_t* unsent;
};

/// The last TLS failure seen on a connection this process dialled to `address` ("host:port")
/// in the last 30 s, or "": the client's error for a node it could not reach then says why.
std::string recent_basp_tls_failure(const std::string& address);
void remember_basp_tls_failure(const std::string& address, const std::string& why);
void forget_basp_tls_failure(const std::string& address);

}  // namespace micro::actors
