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
#include "caf/io/network/scribe_impl.hpp"

#include "actors/basp_header.hpp"

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
  std::size_t max_connections;
  std::size_t max_backlog;  // bytes queued for one peer beyond the batch being sent
  guard_log log;

  std::mutex mutex;
  std::vector<guarded_scribe_ptr> open;  // reading, not yet disconnected from the BASP broker

  std::mutex log_mutex;
  clock_type::time_point log_window{};
  int logged = 0;
  std::size_t suppressed = 0;

  guard_state(const guard_limits& l, guard_log lg)
      : limits(l),
        max_connections(effective_max_connections(l.max_connections)),
        max_backlog(std::max<std::size_t>(std::size_t{64} << 20, std::size_t{4} * l.max_frame_size)),
        log(std::move(lg)) {
    if (!log)
      log = [](const std::string& line) { std::cerr << line << std::endl; };
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
// the two; this class tracks which, in step with the broker.
class guarded_scribe final : public net::scribe_impl {
 public:
  enum class direction { inbound, outbound };

  guarded_scribe(net::default_multiplexer& mpx, net::native_socket fd, std::shared_ptr<guard_state> state,
                 direction dir, std::string peer)
      : scribe_impl(mpx, fd), state_(std::move(state)), dir_(dir), peer_(std::move(peer)) {}

  void configure_read(caf::io::receive_policy::config config) override {
    if (!remembered_) {  // the broker starts reading: the connection is live from here
      remembered_ = true;
      opened_ = last_chunk_ = clock_type::now();
      state_->remember(this);
    }
    scribe_impl::configure_read(config);
  }

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
    auto more = scribe_impl::consume(ctx, data, size);
    if (completes_handshake && !detached())
      handshaken_ = true;  // the broker took the handshake (it closes on a bad one)
    return more;
  }

  // Called by the broker after it wrote to this connection. What stays queued here is what
  // could not even start to be sent: a peer that does not read, while the node keeps answering
  // what it sends. Closed on the multiplexer right after (not inside the broker's handler).
  void flush() override {
    scribe_impl::flush();
    auto queued = wr_buf().size();
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
    scribe_impl::detach_from(broker);
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

  std::shared_ptr<guard_state> state_;
  direction dir_;
  std::string peer_;
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
    auto scribe = caf::make_counted<guarded_scribe>(mpx, fd, state_, guarded_scribe::direction::inbound,
                                                    std::move(peer));
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
    return caf::make_counted<guarded_scribe>(mpx(), *fd, state_, guarded_scribe::direction::outbound,
                                             host + ":" + std::to_string(port));
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

// Runs the timeouts on the multiplexer thread (a broker runs there).
caf::behavior sweeper(caf::io::broker* self, std::shared_ptr<guard_state> state, caf::timespan every) {
  self->delayed_send(self, every, guard_tick_atom::value);
  return {
    [=](guard_tick_atom) {
      state->sweep();
      self->delayed_send(self, every, guard_tick_atom::value);
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

basp_guard::basp_guard(caf::actor_system& sys, const guard_limits& limits, guard_log log) : sys_(sys) {
  auto state = std::make_shared<guard_state>(limits, std::move(log));
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
