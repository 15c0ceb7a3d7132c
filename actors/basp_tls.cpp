#include "actors/basp_tls.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <signal.h>

#include <chrono>
#include <map>
#include <mutex>

#include "caf/policy/tcp.hpp"

namespace micro::actors {

namespace {

using caf::io::network::rw_state;

// OpenSSL writes to the socket with write(2), which raises SIGPIPE on a connection the peer
// closed (CAF's own sends use MSG_NOSIGNAL). The multiplexer thread is CAF's and never wants
// SIGPIPE, so it is blocked there for good, once; a pending one is never delivered.
void block_sigpipe_on_this_thread() {
  thread_local bool blocked = false;
  if (blocked)
    return;
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  blocked = true;
}

// For the one OpenSSL call made on another thread (the ClientHello): blocked for the call, and a
// SIGPIPE it raised is taken before the mask is restored.
class scoped_sigpipe_block {
 public:
  scoped_sigpipe_block() {
    sigemptyset(&pipe_);
    sigaddset(&pipe_, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_, &saved_);
  }
  ~scoped_sigpipe_block() {
    timespec zero{};
    while (sigtimedwait(&pipe_, nullptr, &zero) > 0) {
    }
    pthread_sigmask(SIG_SETMASK, &saved_, nullptr);
  }
  scoped_sigpipe_block(const scoped_sigpipe_block&) = delete;
  scoped_sigpipe_block& operator=(const scoped_sigpipe_block&) = delete;

 private:
  sigset_t pipe_;
  sigset_t saved_;
};

// OpenSSL's reason for the first queued error, and the certificate check's verdict when it
// failed: "certificate verify failed (certificate has expired)", as the tcp transport says it.
std::string openssl_reason(SSL* ssl) {
  std::string out;
  if (auto code = ERR_peek_error(); code != 0) {
    const char* reason = ERR_reason_error_string(code);
    out = reason != nullptr ? reason : "error " + std::to_string(code);
  }
  ERR_clear_error();
  if (long verdict = SSL_get_verify_result(ssl); verdict != X509_V_OK)
    out += std::string{out.empty() ? "" : " "} + "(" + X509_verify_cert_error_string(verdict) + ")";
  return out.empty() ? std::string{"TLS failure"} : out;
}

struct remembered_failure {
  std::string why;
  std::chrono::steady_clock::time_point at;
};
std::mutex failures_mutex;
std::map<std::string, remembered_failure> failures;  // dialled address -> last TLS failure
constexpr std::size_t max_failures_remembered = 256;
// Older than this, a failure says nothing about why a connection fails now (the node may have
// been fixed and since gone down for another reason).
constexpr auto failure_relevance = std::chrono::seconds{30};

}  // namespace

std::shared_ptr<basp_tls_session> basp_tls_session::make(ssl_ctx_st* ctx, role r, caf::io::network::native_socket fd,
                                                         std::string& why) {
  ERR_clear_error();
  SSL* ssl = SSL_new(ctx);
  if (ssl == nullptr || SSL_set_fd(ssl, fd) != 1) {
    why = "cannot make a TLS session: " + (ssl != nullptr ? openssl_reason(ssl) : std::string{"SSL_new failed"});
    SSL_free(ssl);
    return nullptr;
  }
  SSL_set_options(ssl, SSL_OP_NO_RENEGOTIATION);  // a peer must not restart handshakes at will
  // A peer that exits without TLS's close_notify is an ordinary disconnect, as on plain TCP
  // (BASP's frames carry their length, so a cut cannot pass for a shorter message).
  SSL_set_options(ssl, SSL_OP_IGNORE_UNEXPECTED_EOF);
  // CAF's stream writes what it can and comes back for the rest, like send(2) does.
  SSL_set_mode(ssl, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  if (r == role::client)
    SSL_set_connect_state(ssl);
  else
    SSL_set_accept_state(ssl);
  return std::shared_ptr<basp_tls_session>{new basp_tls_session(ssl, r)};
}

basp_tls_session::~basp_tls_session() { SSL_free(ssl_); }

bool basp_tls_session::start_client() {
  scoped_sigpipe_block no_sigpipe;
  ERR_clear_error();
  auto ret = SSL_do_handshake(ssl_);
  if (ret == 1) {
    check_established();
    return true;
  }
  size_t ignored = 0;
  return outcome(ret, ignored) != rw_state::failure;
}

rw_state basp_tls_session::read_some(size_t& result, void* buf, size_t len) {
  result = 0;
  if (len == 0)
    return rw_state::indeterminate;
  block_sigpipe_on_this_thread();
  ERR_clear_error();
  auto ret = SSL_read(ssl_, buf, static_cast<int>(len));
  if (ret > 0) {
    result = static_cast<size_t>(ret);
    check_established();
    return rw_state::success;
  }
  return outcome(ret, result);
}

rw_state basp_tls_session::write_some(size_t& result, const void* buf, size_t len) {
  result = 0;
  block_sigpipe_on_this_thread();
  if (!established_) {
    // The guard's scribe queues BASP's bytes until the handshake is done; an empty write (CAF's
    // nudge) only moves the handshake on, and ends write polling until a read completes it.
    ERR_clear_error();
    auto ret = SSL_do_handshake(ssl_);
    if (ret != 1) {
      auto st = outcome(ret, result);
      return st == rw_state::success && len == 0 ? rw_state::indeterminate : st;
    }
    check_established();
  }
  if (len == 0)
    return rw_state::indeterminate;
  ERR_clear_error();
  auto ret = SSL_write(ssl_, buf, static_cast<int>(len));
  if (ret > 0) {
    result = static_cast<size_t>(ret);
    return rw_state::success;
  }
  return outcome(ret, result);
}

size_t basp_tls_session::pending() const { return static_cast<size_t>(SSL_pending(ssl_)); }

rw_state basp_tls_session::outcome(int ret, size_t& result) {
  result = 0;
  switch (SSL_get_error(ssl_, ret)) {
    case SSL_ERROR_WANT_READ:
    case SSL_ERROR_WANT_WRITE:
      check_established();  // a read that finished the handshake finds no data yet
      return rw_state::success;
    case SSL_ERROR_ZERO_RETURN:  // the peer closed the TLS session
    case SSL_ERROR_SYSCALL:      // the socket closed or broke
      ERR_clear_error();
      if (!established_)
        fail(std::string{"peer closed the connection during the TLS handshake"} +
             (role_ == role::client ? " (a node without TLS?)" : " (a caller without TLS, or one that refused this node's certificate?)"));
      return rw_state::failure;
    default:
      fail(openssl_reason(ssl_));
      return rw_state::failure;
  }
}

void basp_tls_session::check_established() {
  if (established_ || failed_ || SSL_is_init_finished(ssl_) != 1)
    return;
  established_ = true;
  if (auto f = std::move(on_established_))
    f();
}

void basp_tls_session::fail(std::string why) {
  if (failed_)
    return;
  failed_ = true;
  failure_ = std::move(why);
  if (auto f = std::move(on_failure_))
    f(failure_);
}

rw_state basp_stream_policy::read_some(size_t& result, caf::io::network::native_socket fd, void* buf, size_t len) {
  if (!tls)
    return caf::policy::tcp::read_some(result, fd, buf, len);
  return tls->read_some(result, buf, len);
}

rw_state basp_stream_policy::write_some(size_t& result, caf::io::network::native_socket fd, const void* buf,
                                        size_t len) {
  auto state = tls ? tls->write_some(result, buf, len) : caf::policy::tcp::write_some(result, fd, buf, len);
  if (unsent)
    *unsent = state == rw_state::success ? len - result : len;
  return state;
}

bool basp_stream_policy::must_read_more(caf::io::network::native_socket, size_t threshold) {
  if (!tls)
    return false;
  auto pending = tls->pending();
  return pending > 0 && pending >= threshold;
}

std::string recent_basp_tls_failure(const std::string& address) {
  std::lock_guard<std::mutex> guard{failures_mutex};
  auto it = failures.find(address);
  if (it == failures.end() || std::chrono::steady_clock::now() - it->second.at > failure_relevance)
    return {};
  return it->second.why;
}

void remember_basp_tls_failure(const std::string& address, const std::string& why) {
  std::lock_guard<std::mutex> guard{failures_mutex};
  if (failures.size() >= max_failures_remembered && failures.count(address) == 0)
    failures.erase(failures.begin());
  failures[address] = {why, std::chrono::steady_clock::now()};
}

void forget_basp_tls_failure(const std::string& address) {
  std::lock_guard<std::mutex> guard{failures_mutex};
  failures.erase(address);
}

}  // namespace micro::actors
