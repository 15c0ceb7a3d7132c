// The tcp backend on standalone Asio (why Asio: see tcp.hpp). One I/O thread per transport runs
// every socket, timer and callback; other threads only queue frames (connection::send) and post.
#include "transport/tcp.hpp"

#include <asio.hpp>
#include <asio/ssl.hpp>
#include <sys/socket.h>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include "transport/call_counter.hpp"
#include "transport/close_log.hpp"
#include "transport/frame_codec.hpp"
#include "transport/tls_context.hpp"
#include "transport/handshake.hpp"

namespace micro::transport {

namespace {

using asio::ip::tcp;
using steady = std::chrono::steady_clock;

constexpr std::size_t read_chunk = 64 * 1024;  // one read takes all this; the spike's batch size

class tcp_connection;
struct acceptor_state;

// The I/O context and its thread. Connections and listeners hold it, so their sockets never
// outlive the context they were made on, even if a user keeps them after the transport is gone.
struct io_core {
  asio::io_context ctx{1};
  asio::executor_work_guard<asio::io_context::executor_type> work = asio::make_work_guard(ctx);
  std::thread thread;
  transport_options options;
  tls_contexts tls;  // both null when TLS is off
  std::atomic<bool> stopped{false};
  std::mutex mutex;  // guards the two lists below (touched by dial/listen callers and the I/O thread)
  std::vector<std::weak_ptr<tcp_connection>> connections;
  std::vector<std::weak_ptr<acceptor_state>> acceptors;

  bool on_io_thread() const { return std::this_thread::get_id() == thread.get_id(); }
  void track(const std::shared_ptr<tcp_connection>& c);
};

// Ours: we answer pings; plus what the layer above takes (transport_options::hello_flags).
frame hello_frame(uint16_t extra_flags) {
  return frame{frame_kind::hello, static_cast<uint16_t>(hello_answers_pings | extra_flags), 0, std::string{handshake_magic}};
}

class tcp_connection final : public connection, public std::enable_shared_from_this<tcp_connection> {
 public:
  tcp_connection(std::shared_ptr<io_core> core, tcp::socket socket, bool accepted, connection_handlers handlers)
    : core_{std::move(core)},
      socket_{std::move(socket)},
      accepted_{accepted},
      handlers_{std::move(handlers)},
      codec_{core_->options.limits.max_frame_size},
      decoder_{core_->options.limits.max_frame_size},
      counter_{core_->options.limits.max_calls_in_flight},
      handshake_timer_{core_->ctx},
      idle_timer_{core_->ctx},
      ping_timer_{core_->ctx},
      read_buf_(read_chunk) {
    if (auto& ctx = accepted ? core_->tls.server : core_->tls.client)
      tls_ = std::make_unique<asio::ssl::stream<tcp::socket>>(std::move(socket_), *ctx);
  }

  status send(frame f) override {
    if (closed_.load())
      return status::error(errc::closed, "connection to " + peer_ + " is closed");
    if (f.body.size() > codec_.max_frame_size())
      return status::error(errc::frame_too_large, "frame of " + std::to_string(f.body.size()) + " bytes, limit "
                                                    + std::to_string(codec_.max_frame_size()));
    if (auto st = counter_.on_send(f); !st)
      return st;
    // A lone call (this one, or at most one other, in flight) leaves from this thread; under load
    // the I/O thread coalesces frames into one write (one syscall each halved calls/s at 64 in
    // flight, measured). A publication batch and its ack count as a call and its response here.
    bool lone_call = (f.kind == frame_kind::request || f.kind == frame_kind::response
                      || f.kind == frame_kind::publication || f.kind == frame_kind::publish_ack)
                     && counter_.in_flight() <= 1;
    // A stream's frames come from its endpoint actor, one batch of messages (or a credit) per
    // wake-up: already coalesced, so on an idle connection they leave from that thread too.
    bool stream_frame = f.kind == frame_kind::stream_data || f.kind == frame_kind::stream_credit;
    return queue(f, lone_call || stream_frame);
  }

  void close(status reason) override {
    if (core_->stopped.load() || closed_.load())
      return;
    // An error reason is a rule the peer broke, as the owner saw it: logged like ours.
    asio::dispatch(core_->ctx, [self = shared_from_this(), reason = std::move(reason)]() mutable {
      self->close_now(std::move(reason), true);
    });
  }

  bool is_open() const override { return !closed_.load(); }
  std::string peer() const override { return peer_; }
  uint16_t peer_flags() const override { return peer_flags_.load(); }

  // I/O thread: a connection the listener accepted. The peer speaks first.
  void start_accepted() {
    remember_peer();
    asio::error_code ignored;
    sock().set_option(tcp::no_delay{true}, ignored);
    arm_handshake_timer();
    if (!tls_) {
      read();
      return;
    }
    tls_->async_handshake(asio::ssl::stream_base::server, [self = shared_from_this()](asio::error_code ec) {
      if (self->closed_.load())
        return;
      if (ec) {
        self->close_now(self->tls_failure("TLS handshake with " + self->peer_, ec), true);
        return;
      }
      self->read();
    });
  }

  // I/O thread: connects, says hello, and fulfils `done` when the peer's hello arrives or fails.
  void start_dial(tcp::resolver::results_type endpoints, std::shared_ptr<std::promise<status>> done) {
    dial_done_ = std::move(done);
    peer_ = endpoints.begin()->endpoint().address().to_string() + ":"
            + std::to_string(endpoints.begin()->endpoint().port());
    arm_handshake_timer();
    asio::async_connect(sock(), endpoints, [self = shared_from_this()](asio::error_code ec, const tcp::endpoint&) {
      if (self->closed_.load())
        return;
      if (ec) {
        self->close_now(status::error(errc::connect_failed, "cannot connect to " + self->peer_ + ": " + ec.message()),
                        false);
        return;
      }
      asio::error_code ignored;
      self->sock().set_option(tcp::no_delay{true}, ignored);
      if (!self->tls_) {
        self->say_hello();
        return;
      }
      self->tls_->async_handshake(asio::ssl::stream_base::client, [self](asio::error_code hec) {
        if (self->closed_.load())
          return;
        if (hec) {
          self->close_now(self->tls_failure("TLS handshake with " + self->peer_, hec), false);
          return;
        }
        self->say_hello();
      });
    });
  }

  // I/O thread: the dialling side speaks first, once connected (and TLS is up).
  void say_hello() {
    queue(hello_frame(core_->options.hello_flags));
    read();
  }

  // I/O thread: closes at once. `log` = we close for a rule the peer broke (one line per connection).
  void close_now(status reason, bool log) {
    if (closed_.exchange(true))
      return;
    bool is_error = !reason.ok() && reason.code != errc::closed;
    if (log && is_error)
      log_close(core_->options, "tcp", peer_, reason);
    {
      std::lock_guard lock{mutex_};
      // (Not under TLS: plaintext in the middle of a TLS stream would be garbage to the peer.)
      if (is_error && !tls_ && writing_.empty() && socket_.is_open()) {
        // Best effort, never blocking: what was queued (our hello, say) and then why we close.
        std::string bytes = std::move(pending_);
        frame goaway{frame_kind::goaway, static_cast<uint16_t>(reason.code), 0, reason.message};
        if (goaway.body.size() > 1024) goaway.body.resize(1024);
        codec_.encode(goaway, bytes);
        asio::error_code ignored;
        socket_.non_blocking(true, ignored);
        socket_.write_some(asio::buffer(bytes), ignored);
      }
      pending_.clear();
    }
    asio::error_code ignored;
    sock().shutdown(tcp::socket::shutdown_both, ignored);
    sock().close(ignored);
    handshake_timer_.cancel();
    idle_timer_.cancel();
    ping_timer_.cancel();
    if (!handshaken_) {
      if (dial_done_) dial_done_->set_value(reason.ok() ? status::error(errc::closed, "closed before the handshake") : reason);
      dial_done_.reset();
      return;
    }
    if (handlers_.on_close)
      handlers_.on_close(shared_from_this(), reason);
  }

 private:
  // The socket under TLS, or the plain one.
  tcp::socket& sock() { return tls_ ? tls_->next_layer() : socket_; }

  status tls_failure(const std::string& what, const asio::error_code& ec) {
    return status::error(errc::tls_failed, what + " failed: " + describe_tls_failure(ec, tls_->native_handle())
                                             + " (does the peer use TLS, with a certificate our CA signed?)");
  }

  void remember_peer() {
    asio::error_code ec;
    auto ep = sock().remote_endpoint(ec);
    peer_ = ec ? std::string{"unknown peer"} : ep.address().to_string() + ":" + std::to_string(ep.port());
  }

  status queue(const frame& f, bool may_send_here = false) {
    std::lock_guard lock{mutex_};
    if (closed_.load())
      return status::error(errc::closed, "connection to " + peer_ + " is closed");
    bool idle = !write_scheduled_ && pending_.empty();
    codec_.encode(f, pending_);
    // A caller's or worker's lone frame on an idle connection leaves from its own thread: waking
    // the I/O thread to write it cost a wake-up and an epoll_ctl per call on each side (profile in
    // docs/benchmarks.md). The I/O thread's own frames stay posted, so the replies of one read
    // pass leave in one write; so does whatever queues behind a write under way.
    if (may_send_here && idle && direct_fd_ >= 0 && !core_->on_io_thread()) {
      send_what_the_socket_takes();
      if (pending_.empty())
        return {};
    }
    if (pending_.size() + writing_bytes_ > core_->options.limits.max_pending_bytes) {
      asio::post(core_->ctx, [self = shared_from_this(), n = pending_.size() + writing_bytes_] {
        self->close_now(status::error(errc::io_error, "peer does not read: " + std::to_string(n) + " bytes queued"), true);
      });
      return status::error(errc::closed, "connection to " + peer_ + " is closing: peer does not read");
    }
    if (!write_scheduled_) {
      write_scheduled_ = true;
      // Posted, not run here: replies queued by the rest of this read pass leave with it.
      asio::post(core_->ctx, [self = shared_from_this()] { self->flush(); });
    }
    return {};
  }

  // Under mutex_, which close_now() takes after marking the connection closed and before closing
  // the socket: the descriptor is still this connection's. Never blocks; what the socket does not
  // take stays pending for the I/O thread, which also meets any error (the next write fails).
  void send_what_the_socket_takes() {
    auto n = ::send(direct_fd_, pending_.data(), pending_.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n > 0)
      pending_.erase(0, static_cast<std::size_t>(n));
  }

  void flush() {
    {
      std::lock_guard lock{mutex_};
      if (closed_.load()) {
        write_scheduled_ = false;
        return;
      }
      writing_.swap(pending_);
      writing_bytes_ = writing_.size();
    }
    auto done = [self = shared_from_this()](asio::error_code ec, std::size_t) {
      if (ec) {
        self->close_now(status::error(errc::io_error, "write failed: " + ec.message()), true);
        return;
      }
      self->writing_.clear();
      {
        std::lock_guard lock{self->mutex_};
        self->writing_bytes_ = 0;
        if (self->pending_.empty()) {
          self->write_scheduled_ = false;
          return;
        }
      }
      self->flush();
    };
    if (tls_)
      asio::async_write(*tls_, asio::buffer(writing_), std::move(done));
    else
      asio::async_write(socket_, asio::buffer(writing_), std::move(done));
  }

  void read() {
    auto done = [self = shared_from_this()](asio::error_code ec, std::size_t n) {
      if (self->closed_.load())
        return;
      if (ec) {
        if (self->tls_ && ec.category() == asio::error::get_ssl_category() && ec != asio::ssl::error::stream_truncated)
          // (Dialling, before the hellos: the dial's result says it; no log line of ours.)
          self->close_now(self->tls_failure("TLS with " + self->peer_, ec), self->accepted_ || self->handshaken_);
        else if (ec == asio::error::eof && !self->handshaken_ && !self->accepted_)
          self->close_now(status::error(errc::handshake_failed, "peer closed the connection before the handshake "
                                                                "(a TLS node, when this side has no TLS?)"),
                          false);
        else if (ec == asio::error::eof && self->decoder_.mid_frame())
          self->close_now(status::error(errc::bad_frame, "connection ended in the middle of a frame ("
                                                           + std::to_string(self->decoder_.buffered())
                                                           + " bytes of it received)"),
                          true);
        else if (ec == asio::error::eof || ec == asio::ssl::error::stream_truncated)
          self->close_now(status::error(errc::closed, "peer closed the connection"), false);
        else
          self->close_now(status::error(errc::io_error, "read failed: " + ec.message()), true);
        return;
      }
      self->on_bytes(n);
    };
    if (tls_)
      tls_->async_read_some(asio::buffer(read_buf_), std::move(done));
    else
      socket_.async_read_some(asio::buffer(read_buf_), std::move(done));
  }

  void on_bytes(std::size_t n) {
    frames_.clear();
    auto st = decoder_.feed(read_buf_.data(), n, frames_);
    if (!frames_.empty())
      last_frame_ = steady::now();
    for (auto& f : frames_) {
      if (closed_.load())
        return;
      handle(std::move(f));
    }
    if (closed_.load())
      return;
    if (!st) {
      close_now(std::move(st), true);
      return;
    }
    read();
  }

  void handle(frame&& f) {
    if (!handshaken_) {
      if (auto st = check_hello(f); !st) {
        // A goaway is the peer's word: nothing to answer. Anything else gets ours.
        close_now(std::move(st), f.kind != frame_kind::goaway);
        return;
      }
      handshaken_ = true;
      peer_answers_pings_ = (f.flags & hello_answers_pings) != 0;
      peer_flags_ = f.flags;
      handshake_timer_.cancel();
      if (accepted_)
        queue(hello_frame(core_->options.hello_flags));
      if (!tls_) {  // (a TLS session is not shared between threads: its frames go through here)
        std::lock_guard lock{mutex_};
        direct_fd_ = socket_.native_handle();
      }
      arm_idle_timer();
      arm_ping_timer();
      if (dial_done_) {
        dial_done_->set_value(status{});
        dial_done_.reset();
      }
      return;
    }
    switch (f.kind) {
      case frame_kind::hello:
        close_now(status::error(errc::bad_frame, "a second hello"), true);
        return;
      case frame_kind::goaway:
        close_now(goaway_status(f, "peer closed"), false);
        return;
      case frame_kind::ping:  // answered here, on the I/O thread, whatever the handlers are doing
        queue(frame{frame_kind::pong, 0, f.id, {}});
        return;
      case frame_kind::pong:  // its arrival (last_frame_) is all that counts
        return;
      default:
        break;
    }
    if (auto st = counter_.on_receive(f); !st) {
      close_now(std::move(st), true);
      return;
    }
    if (handlers_.on_frame)
      handlers_.on_frame(shared_from_this(), std::move(f));
  }

  void arm_handshake_timer() {
    handshake_timer_.expires_after(core_->options.limits.handshake_timeout);
    handshake_timer_.async_wait([self = shared_from_this()](asio::error_code ec) {
      if (ec || self->closed_.load() || self->handshaken_)
        return;
      self->close_now(status::error(errc::handshake_timeout,
                                    "no valid hello within "
                                      + std::to_string(self->core_->options.limits.handshake_timeout.count()) + " ms"),
                      true);
    });
  }

  void arm_idle_timer() {
    auto idle = core_->options.limits.idle_timeout;
    if (idle.count() <= 0)
      return;
    if (last_frame_ == steady::time_point{})
      last_frame_ = steady::now();
    idle_timer_.expires_at(last_frame_ + idle);
    idle_timer_.async_wait([self = shared_from_this()](asio::error_code ec) {
      if (ec || self->closed_.load())
        return;
      self->on_idle_timer();
    });
  }

  void on_idle_timer() {
    auto idle = core_->options.limits.idle_timeout;
    auto now = steady::now();
    if (now < last_frame_ + idle) {
      arm_idle_timer();
      return;
    }
    // A half-received frame that stalls is a slow-loris sender; no calls and no frames is an
    // abandoned connection. Calls in flight without frames are someone waiting: keep it.
    if (decoder_.mid_frame() || counter_.in_flight() == 0) {
      close_now(status::error(errc::idle_timeout, std::string{"no complete frame for "} + std::to_string(idle.count())
                                                    + " ms" + (decoder_.mid_frame() ? " (one half received)" : "")),
                true);
      return;
    }
    last_frame_ = now;
    arm_idle_timer();
  }

  void arm_ping_timer() {
    if (!peer_answers_pings_ || core_->options.limits.ping_interval.count() <= 0)
      return;
    ping_timer_.expires_after(core_->options.limits.ping_interval);
    ping_timer_.async_wait([self = shared_from_this()](asio::error_code ec) {
      if (ec || self->closed_.load())
        return;
      self->on_ping_timer();
    });
  }

  // Every ping_interval: with calls in flight, a silent peer is pinged, and one silent for
  // ping_timeout is given up. Silence counts from the later of its last frame and the first tick
  // that saw calls in flight (a connection idle for an hour is not silent the moment a call starts).
  void on_ping_timer() {
    auto now = steady::now();
    if (counter_.in_flight() == 0) {
      watching_since_ = steady::time_point{};
    } else {
      if (watching_since_ == steady::time_point{})
        watching_since_ = now;
      auto silent = now - std::max(last_frame_, watching_since_);
      auto& lim = core_->options.limits;
      if (lim.ping_timeout.count() > 0 && silent >= lim.ping_timeout) {
        close_now(status::error(errc::peer_unresponsive,
                                "no frame from the peer for "
                                  + std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(silent).count())
                                  + " ms with " + std::to_string(counter_.in_flight())
                                  + " call(s) in flight, pings unanswered (frozen, or the link is cut)"),
                  true);
        return;
      }
      if (silent >= lim.ping_interval)
        queue(frame{frame_kind::ping, 0, ++pings_sent_, {}});
    }
    arm_ping_timer();
  }

  // Members used by the I/O thread only, unless marked.
  std::shared_ptr<io_core> core_;  // first: destroyed last, after the socket and timers
  tcp::socket socket_;                                      // moved into tls_ when TLS is on
  std::unique_ptr<asio::ssl::stream<tcp::socket>> tls_;  // null without TLS
  bool accepted_;
  connection_handlers handlers_;
  frame_codec codec_;  // any thread (stateless)
  frame_decoder decoder_;
  call_counter counter_;  // any thread
  asio::steady_timer handshake_timer_;
  asio::steady_timer idle_timer_;
  asio::steady_timer ping_timer_;
  std::vector<char> read_buf_;
  std::vector<frame> frames_;
  std::string peer_;  // set before the connection is shared
  bool handshaken_ = false;
  bool peer_answers_pings_ = false;  // its hello said so
  std::atomic<uint16_t> peer_flags_{0};  // its hello's flags (any thread: set before dial() returns)
  steady::time_point last_frame_{};
  steady::time_point watching_since_{};  // first ping tick that saw calls in flight; {} = none
  uint64_t pings_sent_ = 0;
  std::shared_ptr<std::promise<status>> dial_done_;
  std::atomic<bool> closed_{false};  // any thread
  std::mutex mutex_;                 // guards the four below (senders on any thread)
  std::string pending_;
  bool write_scheduled_ = false;
  std::size_t writing_bytes_ = 0;  // writing_.size(): being written counts as queued too
  int direct_fd_ = -1;             // the socket, once frames may leave from other threads
  std::string writing_;            // the I/O thread's, between flush and its completion
};

void io_core::track(const std::shared_ptr<tcp_connection>& c) {
  std::lock_guard lock{mutex};
  connections.erase(std::remove_if(connections.begin(), connections.end(), [](auto& w) { return w.expired(); }),
                    connections.end());
  connections.push_back(c);
}

struct acceptor_state : std::enable_shared_from_this<acceptor_state> {
  acceptor_state(std::shared_ptr<io_core> c, connection_handlers h)
    : core{std::move(c)}, acceptor{core->ctx}, handlers{std::move(h)}, retry{core->ctx} {}

  void accept() {
    acceptor.async_accept([self = shared_from_this()](asio::error_code ec, tcp::socket socket) {
      if (self->closed || ec == asio::error::operation_aborted)
        return;
      if (ec) {
        // Out of fds, most likely: wait a little instead of spinning on the error.
        log_close(self->core->options, "tcp", self->address, status::error(errc::io_error, "accept failed: " + ec.message()));
        self->retry.expires_after(std::chrono::milliseconds{50});
        self->retry.async_wait([self](asio::error_code e) {
          if (!e && !self->closed) self->accept();
        });
        return;
      }
      auto c = std::make_shared<tcp_connection>(self->core, std::move(socket), true, self->handlers);
      self->core->track(c);
      c->start_accepted();
      self->accept();
    });
  }

  void close_now() {
    if (closed) return;
    closed = true;
    asio::error_code ignored;
    acceptor.close(ignored);
    retry.cancel();
  }

  std::shared_ptr<io_core> core;
  tcp::acceptor acceptor;
  connection_handlers handlers;
  asio::steady_timer retry;
  std::string address;
  bool closed = false;  // I/O thread
};

class tcp_listener final : public listener {
 public:
  explicit tcp_listener(std::shared_ptr<acceptor_state> st) : state_{std::move(st)} {}
  ~tcp_listener() override { close(); }
  std::string address() const override { return state_->address; }
  void close() override {
    auto& core = *state_->core;
    if (core.stopped.load() || core.on_io_thread()) {
      state_->close_now();
      return;
    }
    std::promise<void> done;
    asio::post(core.ctx, [st = state_, &done] {
      st->close_now();
      done.set_value();
    });
    done.get_future().wait();
  }

 private:
  std::shared_ptr<acceptor_state> state_;
};

bool split_address(const std::string& address, std::string& host, std::string& port) {
  auto colon = address.rfind(':');
  if (colon == std::string::npos || colon + 1 == address.size())
    return false;
  host = address.substr(0, colon);
  port = address.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  return port.find_first_not_of("0123456789") == std::string::npos;
}

class tcp_transport final : public transport {
 public:
  tcp_transport(transport_options options, tls_contexts tls) : core_{std::make_shared<io_core>()} {
    core_->options = std::move(options);
    core_->tls = std::move(tls);
    // The thread owns the core too: when the transport goes away inside one of its own callbacks
    // (detached below), the core, and the io_context run() is still in, outlive that run().
    core_->thread = std::thread{[core = core_] { core->ctx.run(); }};
  }

  ~tcp_transport() override {
    // Close everything on the I/O thread, then let run() return once the aborted operations
    // have completed (their handlers hold the connections: none may be left in the queue).
    asio::post(core_->ctx, [core = core_] {
      std::vector<std::shared_ptr<tcp_connection>> conns;
      std::vector<std::shared_ptr<acceptor_state>> accs;
      {
        std::lock_guard lock{core->mutex};
        for (auto& w : core->connections) if (auto c = w.lock()) conns.push_back(c);
        for (auto& w : core->acceptors) if (auto a = w.lock()) accs.push_back(a);
      }
      for (auto& a : accs) a->close_now();
      for (auto& c : conns) c->close_now(status::error(errc::closed, "transport shut down"), false);
    });
    core_->work.reset();
    if (core_->on_io_thread())
      core_->thread.detach();  // the last owner let go in a callback: run() ends by itself
    else
      core_->thread.join();
    core_->stopped = true;
  }

  std::string name() const override { return "tcp"; }
  const transport_options& options() const override { return core_->options; }

  result<connection_ptr> dial(const std::string& address, connection_handlers handlers) override {
    std::string host, port;
    if (!split_address(address, host, port))
      return {status::error(errc::invalid_address, "tcp: \"" + address + "\" is not host:port"), nullptr};
    asio::error_code ec;
    tcp::resolver resolver{core_->ctx};
    auto endpoints = resolver.resolve(host, port, ec);
    if (ec || endpoints.empty())
      return {status::error(errc::invalid_address, "tcp: cannot resolve \"" + address + "\": " + ec.message()), nullptr};
    auto c = std::make_shared<tcp_connection>(core_, tcp::socket{core_->ctx}, false, std::move(handlers));
    core_->track(c);
    auto done = std::make_shared<std::promise<status>>();
    auto outcome = done->get_future();
    asio::post(core_->ctx, [c, endpoints, done] { c->start_dial(endpoints, done); });
    // The handshake timer fulfils the promise; the margin only guards against a stopped loop.
    if (outcome.wait_for(core_->options.limits.handshake_timeout + std::chrono::seconds{1}) != std::future_status::ready) {
      c->close(status::error(errc::handshake_timeout, "dial timed out"));
      return {status::error(errc::handshake_timeout, "tcp: no handshake with " + address), nullptr};
    }
    auto st = outcome.get();
    if (!st)
      return {status::error(st.code, "tcp: dial " + address + ": " + st.message), nullptr};
    return {{}, c};
  }

  result<std::unique_ptr<listener>> listen(const std::string& address, connection_handlers handlers) override {
    std::string host, port;
    if (!split_address(address, host, port))
      return {status::error(errc::invalid_address, "tcp: \"" + address + "\" is not host:port"), nullptr};
    asio::error_code ec;
    tcp::resolver resolver{core_->ctx};
    auto endpoints = resolver.resolve(host.empty() ? "0.0.0.0" : host, port, ec);
    if (ec || endpoints.empty())
      return {status::error(errc::invalid_address, "tcp: cannot resolve \"" + address + "\": " + ec.message()), nullptr};
    if (core_->tls.client && !core_->tls.server)
      return {status::error(errc::tls_failed, "tcp: cannot serve TLS on " + address + " without a certificate "
                                              "(MICRO_TLS_CERT, MICRO_TLS_KEY)"), nullptr};
    auto st = std::make_shared<acceptor_state>(core_, std::move(handlers));
    auto ep = endpoints.begin()->endpoint();
    st->acceptor.open(ep.protocol(), ec);
    if (!ec) st->acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) st->acceptor.bind(ep, ec);
    if (!ec) st->acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec)
      return {status::error(errc::io_error, "tcp: cannot listen on " + address + ": " + ec.message()), nullptr};
    auto bound = st->acceptor.local_endpoint(ec);
    st->address = (bound.address().is_v6() ? "[" + bound.address().to_string() + "]" : bound.address().to_string())
                  + ":" + std::to_string(bound.port());
    {
      std::lock_guard lock{core_->mutex};
      core_->acceptors.push_back(st);
    }
    asio::post(core_->ctx, [st] { st->accept(); });
    return {{}, std::make_unique<tcp_listener>(st)};
  }

 private:
  std::shared_ptr<io_core> core_;
};

}  // namespace

result<std::shared_ptr<transport>> make_tcp_transport(transport_options options) {
  tls_contexts tls;
  if (options.tls.enabled()) {
    auto made = make_tls_contexts(options.tls);
    if (!made)
      return {made.st, nullptr};
    tls = std::move(made.value);
  }
  return {{}, std::make_shared<tcp_transport>(std::move(options), std::move(tls))};
}

}  // namespace micro::transport
