#include "actors/basp_guard.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <iostream>
#include <mutex>
#include <set>
#include <vector>

#include "caf/all.hpp"
#include "caf/io/all.hpp"
#include "caf/io/basp/header.hpp"
#include "caf/io/basp_broker.hpp"
#include "caf/io/middleman_actor_impl.hpp"
#include "caf/io/network/default_multiplexer.hpp"
#include "caf/io/network/doorman_impl.hpp"
#include "caf/io/network/stream_impl.hpp"

#include "actors/basp_header.hpp"
#include "actors/basp_tls.hpp"

namespace micro::actors {

namespace {

namespace net = caf::io::network;
using clock_type = std::chrono::steady_clock;
using guard_tick_atom = caf::atom_constant<caf::atom("guardtick")>;
constexpr caf::atom_value registry_key = caf::atom("microguard");

static_assert(caf::io::basp::header_size == basp_header_size, "BASP header layout changed");

// At most this many log lines a second; the rest are counted and reported as one line.
constexpr int log_lines_per_second = 20;

std::string ms_text(std::chrono::milliseconds d) { return std::to_string(d.count()) + "ms"; }

std::string peer_of(net::native_socket fd) {
  auto host = net::remote_addr_of_fd(fd);
  auto port = net::remote_port_of_fd(fd);
  if (!host || !port)
    return "an unknown peer";
  return (host->find(':') != std::string::npos ? "[" + *host + "]" : *host) + ":" + std::to_string(*port);
}

class guarded_scribe;
using guarded_scribe_ptr = caf::intrusive_ptr<guarded_scribe>;

// Shared by the guard's middleman, its doormen, scribes and sweeper. Everything but the log
// runs on the multiplexer thread; the mutex keeps `open` safe regardless.
struct guard_state {
  guard_limits limits;
  transport::native_tls_contexts tls;  // both null: plaintext
  std::string tls_unusable;     // why TLS is on but its contexts could not be made
  std::size_t max_connections;
  std::size_t max_backlog;  // bytes queued for one peer beyond the batch being sent
  guard_log log;

  std::mutex mutex;
  std::vector<guarded_scribe_ptr> open;  // reading, not yet disconnected from the BASP broker

  std::mutex log_mutex;
  clock_type::time_point log_window{};
  int logged = 0;
  std::size_t suppressed = 0;

  guard_state(const guard_limits& l, const transport::tls_options& tls_options, guard_log lg)
      : limits(l),
        max_connections(effective_max_connections(l.max_connections)),
        max_backlog(std::max<std::size_t>(std::size_t{64} << 20, std::size_t{4} * l.max_frame_size)),
        log(std::move(lg)) {
    if (!log)
      log = [](const std::string& line) { std::cerr << line << std::endl; };
    if (tls_options.enabled()) {
      auto made = transport::make_native_tls_contexts(tls_options);
      if (made)
        tls = made.value;
      else
        tls_unusable = made.st.message;
    }
  }

  bool tls_on() const { return tls.client != nullptr || !tls_unusable.empty(); }

  // A TLS session for a new connection on `fd`, or null with `why` (TLS on but unusable, or a
  // process without a certificate asked to serve). Null without `why`: plaintext.
  std::shared_ptr<basp_tls_session> tls_session(basp_tls_session::role r, net::native_socket fd, std::string& why) {
    if (!tls_on())
      return nullptr;
    if (!tls_unusable.empty()) {
      why = tls_unusable;
      return nullptr;
    }
    auto& ctx = r == basp_tls_session::role::server ? tls.server : tls.client;
    if (!ctx) {
      why = "TLS is on here (MICRO_TLS_CA) but this process has no certificate to serve with (MICRO_TLS_CERT)";
      return nullptr;
    }
    return basp_tls_session::make(ctx.get(), r, fd, why);
  }

  void report(const std::string& line) {
    std::unique_lock<std::mutex> guard{log_mutex};
    auto now = clock_type::now();
    if (now - log_window >= std::chrono::seconds{1})
      flush_suppressed(now, guard);
    if (logged >= log_lines_per_second) {
      ++suppressed;
      return;
    }
    ++logged;
    guard.unlock();
    log("micro.guard: " + line);
  }

  // Starts a new one-second window, first reporting how many lines the last one dropped.
  void flush_suppressed(clock_type::time_point now, std::unique_lock<std::mutex>& guard) {
    auto dropped = suppressed;
    log_window = now;
    logged = 0;
    suppressed = 0;
    if (dropped > 0) {
      guard.unlock();
      log("micro.guard: " + std::to_string(dropped) + " more connections closed (log limited to " +
          std::to_string(log_lines_per_second) + " lines a second)");
      guard.lock();
    }
  }

  void tick() {
    std::unique_lock<std::mutex> guard{log_mutex};
    if (suppressed > 0 && clock_type::now() - log_window >= std::chrono::seconds{1})
      flush_suppressed(clock_type::now(), guard);
  }

  void remember(guarded_scribe* s);
  guarded_scribe_ptr forget(guarded_scribe* s);
  bool make_room();
  void sweep();
};

// One BASP connection, checked before the BASP broker sees its bytes. CAF's stream reads
// exactly what the broker asked for (a header, then its payload), so each consume() is one of
// the two; this class tracks which, in step with the broker. It is CAF's scribe_impl with a
// stream whose bytes are plain or TLS (basp_stream_policy), and the guard's checks.
class guarded_scribe final : public caf::io::scribe {
 public:
  enum class direction { inbound, outbound };

  guarded_scribe(net::default_multiplexer& mpx, net::native_socket fd, std::shared_ptr<guard_state> state,
                 direction dir, std::string peer, std::shared_ptr<basp_tls_session> tls)
      : scribe(net::conn_hdl_from_socket(fd)),
        stream_(mpx, fd, tls, &unsent_),
        tls_(std::move(tls)),
        state_(std::move(state)),
        dir_(dir),
        peer_(std::move(peer)) {
    if (!tls_)
      return;
    // Called on the multiplexer from inside the stream's read; the flush runs right after it.
    tls_->on_established([this] {
      stream_.backend().post([self = guarded_scribe_ptr{this}] {
        if (self->flush_deferred_ && !self->detached()) {
          self->flush_deferred_ = false;
          self->flush();
        }
      });
    });
    tls_->on_failure([this](const std::string& why) {
      if (dir_ == direction::outbound)
        remember_basp_tls_failure(peer_, "TLS: " + why);
      state_->report("closed " + describe() + ": TLS: " + why);
    });
  }

  ~guarded_scribe() override {
    if (tls_) {  // the session outlives this object only inside the stream being destroyed
      tls_->on_established(nullptr);
      tls_->on_failure(nullptr);
    }
  }

  void configure_read(caf::io::receive_policy::config config) override {
    if (!remembered_) {  // the broker starts reading: the connection is live from here
      remembered_ = true;
      opened_ = last_chunk_ = clock_type::now();
      state_->remember(this);
    }
    stream_.configure_read(config);
    if (!launched_) {
      launched_ = true;
      stream_.start(this);
    }
  }

  void ack_writes(bool enable) override { stream_.ack_writes(enable); }
  std::vector<char>& wr_buf() override { return stream_.wr_buf(); }
  std::vector<char>& rd_buf() override { return stream_.rd_buf(); }

  void graceful_shutdown() override {
    stream_.graceful_shutdown();
    detach(&stream_.backend(), false);
  }

  std::string addr() const override {
    auto x = net::remote_addr_of_fd(stream_.fd());
    return x ? *x : std::string{};
  }

  uint16_t port() const override {
    auto x = net::remote_port_of_fd(stream_.fd());
    return x ? *x : uint16_t{0};
  }

  void add_to_loop() override { stream_.activate(this); }
  void remove_from_loop() override { stream_.passivate(); }

  bool consume(caf::execution_unit* ctx, const void* data, size_t size) override {
    if (detached())
      return false;
    ++chunks_;  // no clock read per chunk: the sweep notices the count moving
    bool completes_handshake = false;
    if (payload_due_ == 0) {
      auto why = check_header(static_cast<const unsigned char*>(data), size);
      if (!why.empty()) {
        close_with(why);
        return false;
      }
      payload_due_ = basp_payload_length(static_cast<const unsigned char*>(data));
    } else {
      payload_due_ = 0;
      completes_handshake = !handshaken_;
    }
    auto more = scribe::consume(ctx, data, size);
    if (completes_handshake && !detached())
      handshaken_ = true;  // the broker took the handshake (it closes on a bad one)
    if (handshaken_ && dir_ == direction::outbound && tls_)
      forget_basp_tls_failure(peer_);
    return more;
  }

  // Called by the broker after it wrote to this connection. Before a TLS handshake completes,
  // what BASP wrote waits (the session sends it once established: writing now would poll a
  // socket that cannot take application data yet). What stays queued here is what could not
  // even start to be sent: a peer that does not read, while the node keeps answering what it
  // sends. Closed on the multiplexer right after (not inside the broker's handler).
  void flush() override {
    if (tls_ && !tls_->established()) {
      flush_deferred_ = true;
      return;
    }
    stream_.flush(this);
    auto queued = unsent_ + wr_buf().size();
    if (queued <= state_->max_backlog || backlog_closing_)
      return;
    backlog_closing_ = true;
    auto why = std::to_string(queued) + " bytes queued for a peer that does not read them (more than " +
               std::to_string(state_->max_backlog) + ")";
    stream_.backend().post([self = guarded_scribe_ptr{this}, why] { self->close_with(why); });
  }

  // Closes the connection now; the BASP broker gets an ordinary connection_closed_msg.
  void close_with(const std::string& why) {
    if (detached())
      return;
    state_->report("closed " + describe() + ": " + why);
    net::shutdown_both(stream_.fd());  // also ends writes the peer never reads
    io_failure(&stream_.backend(), net::operation::read);
  }

  // Why this connection is due to be closed at `now`, or "". Called by the sweep only.
  std::string overdue(clock_type::time_point now) {
    if (chunks_ != chunks_seen_) {
      chunks_seen_ = chunks_;
      last_chunk_ = now;
    }
    auto& l = state_->limits;
    if (tls_ && !tls_->established() && now - opened_ >= l.handshake_timeout)
      return "no TLS handshake within " + ms_text(l.handshake_timeout) + " (handshake_timeout; a peer without TLS?)";
    if (!handshaken_ && now - opened_ >= l.handshake_timeout)
      return "no BASP handshake within " + ms_text(l.handshake_timeout) + " (handshake_timeout)";
    if (handshaken_ && l.idle_timeout.count() > 0 && now - last_chunk_ >= l.idle_timeout)
      return "nothing complete received for " + ms_text(l.idle_timeout) + " (idle_timeout)";
    return {};
  }

  // May be closed to let a new connection in: an inbound one still waiting for its handshake.
  bool evictable() const { return dir_ == direction::inbound && !handshaken_ && !detached(); }
  clock_type::time_point opened() const { return opened_; }

 protected:
  void detach_from(caf::io::abstract_broker* broker) override {
    scribe::detach_from(broker);
    if (!remembered_)
      return;
    // The caller (CAF's manager::detach) still uses this object: release the guard's
    // reference later, on the multiplexer.
    if (auto ref = state_->forget(this))
      stream_.backend().post([ref]() mutable { ref.reset(); });
  }

 private:
  std::string describe() const {
    return (dir_ == direction::inbound ? "connection from " : "connection to ") + peer_;
  }

  std::string check_header(const unsigned char* h, size_t size) const {
    return check_basp_header(h, size, {handshaken_, dir_ == direction::inbound, state_->limits.max_frame_size});
  }

  size_t unsent_ = 0;  // of the buffer CAF's stream is writing (it shows only the one after it)
  net::stream_impl<basp_stream_policy> stream_;
  std::shared_ptr<basp_tls_session> tls_;  // null: plaintext
  std::shared_ptr<guard_state> state_;
  direction dir_;
  std::string peer_;
  bool launched_ = false;
  bool flush_deferred_ = false;  // BASP wrote before the TLS handshake completed
  bool remembered_ = false;
  bool handshaken_ = false;
  bool backlog_closing_ = false;
  uint32_t payload_due_ = 0;  // 0: the next chunk is a header
  clock_type::time_point opened_{};
  uint64_t chunks_ = 0;  // headers and payloads received
  uint64_t chunks_seen_ = 0;  // by the last sweep, which saw them at:
  clock_type::time_point last_chunk_{};
};

void guard_state::remember(guarded_scribe* s) {
  std::lock_guard<std::mutex> guard{mutex};
  open.emplace_back(s);
}

guarded_scribe_ptr guard_state::forget(guarded_scribe* s) {
  std::lock_guard<std::mutex> guard{mutex};
  auto it = std::find_if(open.begin(), open.end(), [s](const guarded_scribe_ptr& p) { return p.get() == s; });
  if (it == open.end())
    return nullptr;
  auto ref = std::move(*it);
  *it = std::move(open.back());
  open.pop_back();
  return ref;
}

// Called for each accepted connection: true if it may stay. At the limit, the oldest inbound
// connection still waiting for its handshake makes room; if there is none, the new one goes.
bool guard_state::make_room() {
  guarded_scribe_ptr victim;
  {
    std::lock_guard<std::mutex> guard{mutex};
    if (open.size() < max_connections)
      return true;
    for (auto& s : open)
      if (s->evictable() && (!victim || s->opened() < victim->opened()))
        victim = s;
  }
  if (!victim)
    return false;
  victim->close_with("made room for a new connection: " + std::to_string(max_connections) +
                     " open (max_connections) and this one had not completed its handshake");
  return true;
}

void guard_state::sweep() {
  auto now = clock_type::now();
  std::vector<std::pair<guarded_scribe_ptr, std::string>> due;
  {
    std::lock_guard<std::mutex> guard{mutex};
    for (auto& s : open)
      if (auto why = s->overdue(now); !why.empty())
        due.emplace_back(s, std::move(why));
  }
  for (auto& [s, why] : due)
    s->close_with(why);
  tick();
}

// Accepts for the BASP broker, giving it guarded scribes.
class guarded_doorman final : public net::doorman_impl {
 public:
  guarded_doorman(net::default_multiplexer& mpx, net::native_socket fd, std::shared_ptr<guard_state> state)
      : doorman_impl(mpx, fd), state_(std::move(state)) {}

  bool new_connection() override {
    if (detached())
      return false;
    auto& mpx = acceptor_.backend();
    auto fd = acceptor_.accepted_socket();
    auto peer = peer_of(fd);
    if (!state_->make_room()) {
      state_->report("refused connection from " + peer + ": " + std::to_string(state_->max_connections) +
                     " open (max_connections) and none of them an inbound one still waiting for its handshake");
      net::close_socket(fd);
      return true;
    }
    static_cast<void>(net::keepalive(fd, true));  // as CAF's own new_scribe does
    std::string why;
    auto tls = state_->tls_session(basp_tls_session::role::server, fd, why);
    if (!why.empty()) {
      state_->report("refused connection from " + peer + ": " + why);
      net::close_socket(fd);
      return true;
    }
    auto scribe = caf::make_counted<guarded_scribe>(mpx, fd, state_, guarded_scribe::direction::inbound,
                                                    std::move(peer), std::move(tls));
    auto hdl = scribe->hdl();
    parent()->add_scribe(std::move(scribe));
    return doorman::new_connection(&mpx, hdl);
  }

 private:
  std::shared_ptr<guard_state> state_;
};

// CAF's middleman actor with guarded sockets: the extension point CAF's own OpenSSL module uses.
class guarded_middleman_impl final : public caf::io::middleman_actor_impl {
 public:
  guarded_middleman_impl(caf::actor_config& cfg, caf::actor basp, std::shared_ptr<guard_state> state)
      : middleman_actor_impl(cfg, std::move(basp)), state_(std::move(state)) {}

 protected:
  caf::expected<caf::io::scribe_ptr> connect(const std::string& host, uint16_t port) override {
    auto fd = net::new_tcp_connection(host, port);
    if (!fd)
      return std::move(fd.error());
    static_cast<void>(net::keepalive(*fd, true));
    auto address = host + ":" + std::to_string(port);
    std::string why;
    auto tls = state_->tls_session(basp_tls_session::role::client, *fd, why);
    if (tls) {
      static_cast<void>(net::nonblocking(*fd, true));
      if (!tls->start_client())
        why = tls->failure();
    }
    if (!why.empty()) {
      net::close_socket(*fd);
      remember_basp_tls_failure(address, "TLS: " + why);
      return caf::make_error(caf::sec::cannot_connect_to_node, "TLS: " + why);
    }
    return caf::make_counted<guarded_scribe>(mpx(), *fd, state_, guarded_scribe::direction::outbound,
                                             std::move(address), std::move(tls));
  }

  caf::expected<caf::io::doorman_ptr> open(uint16_t port, const char* addr, bool reuse) override {
    auto fd = net::new_tcp_acceptor_impl(port, addr, reuse);
    if (!fd)
      return std::move(fd.error());
    return caf::make_counted<guarded_doorman>(mpx(), *fd, state_);
  }

 private:
  net::default_multiplexer& mpx() {
    return static_cast<net::default_multiplexer&>(system().middleman().backend());
  }

  std::shared_ptr<guard_state> state_;
};

// Runs the timeouts on the multiplexer thread (a broker runs there). The tick is sent without a
// sender: a tick from itself, still in its mailbox when CAF stops the middleman without letting
// the broker clean up, would hold the broker alive forever (LSan saw that cycle at exit).
caf::behavior sweeper(caf::io::broker* self, std::shared_ptr<guard_state> state, caf::timespan every) {
  auto tick_later = [self, every] {
    caf::delayed_anon_send(caf::actor_cast<caf::actor>(self), every, guard_tick_atom::value);
  };
  tick_later();
  return {
    [=](guard_tick_atom) {
      state->sweep();
      tick_later();
    },
  };
}

caf::timespan sweep_interval(const guard_limits& l) {
  auto shortest = l.handshake_timeout;
  if (l.idle_timeout.count() > 0)
    shortest = std::min(shortest, l.idle_timeout);
  return caf::timespan{std::clamp(shortest / 4, std::chrono::milliseconds{20}, std::chrono::milliseconds{1000})};
}

}  // namespace

std::size_t effective_max_connections(std::size_t configured) {
  rlimit rl{};
  if (::getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY)
    return configured;
  auto soft = static_cast<std::size_t>(rl.rlim_cur);
  auto headroom = std::max<std::size_t>(64, soft / 8);
  auto room = soft > headroom + 8 ? soft - headroom : std::size_t{8};
  return std::min(configured, room);
}

basp_guard::basp_guard(caf::actor_system& sys, const guard_limits& limits, const transport::tls_options& tls,
                       guard_log log)
    : sys_(sys) {
  auto state = std::make_shared<guard_state>(limits, tls, std::move(log));
  auto& mm = sys.middleman();
  auto basp = mm.named_broker<caf::io::basp_broker>(caf::atom("BASP"));
  middleman_ = caf::actor_cast<caf::actor>(sys.spawn<guarded_middleman_impl, caf::hidden>(basp, state));
  sweeper_ = mm.spawn_broker<caf::hidden>(sweeper, state, sweep_interval(limits));
  sys.registry().put(registry_key, middleman_);
}

basp_guard::~basp_guard() {
  sys_.registry().erase(registry_key);
  caf::anon_send_exit(sweeper_, caf::exit_reason::user_shutdown);
  // CAF's middleman actor ignores ordinary exit messages; its own middleman kills it too.
  caf::anon_send_exit(middleman_, caf::exit_reason::kill);
}

caf::actor guarded_middleman(caf::actor_system& sys) {
  if (auto guarded = sys.registry().get<caf::actor>(registry_key))
    return guarded;
  return caf::actor_cast<caf::actor>(sys.middleman().actor_handle());
}

}  // namespace micro::actors
