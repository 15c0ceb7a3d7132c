// The memory backend: a process-wide table of listeners by name, and one delivery thread that
// runs every callback in order (as tcp's I/O thread would), so a send never re-enters its caller.
#include "transport/memory.hpp"

#include <atomic>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <thread>

#include "transport/call_counter.hpp"
#include "transport/close_log.hpp"

namespace micro::transport {

namespace {

// The delivery thread. Never destroyed: connections may deliver during static destruction.
class delivery {
 public:
  static delivery& instance() {
    static auto* d = new delivery;
    return *d;
  }
  void post(std::function<void()> fn) {
    {
      std::lock_guard lock{mutex_};
      queue_.push_back(std::move(fn));
    }
    wake_.notify_one();
  }

 private:
  delivery() {
    std::thread{[this] {
      std::unique_lock lock{mutex_};
      for (;;) {
        wake_.wait(lock, [this] { return !queue_.empty(); });
        auto fn = std::move(queue_.front());
        queue_.pop_front();
        lock.unlock();
        fn();
        // Dropped before the lock is taken again: what it held may post (a connection's last
        // reference closes its peer), which would deadlock on the lock.
        fn = nullptr;
        lock.lock();
      }
    }}.detach();
  }
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> queue_;
};

class memory_connection final : public connection, public std::enable_shared_from_this<memory_connection> {
 public:
  memory_connection(transport_options options, connection_handlers handlers, std::string peer)
    : options_{std::move(options)}, handlers_{std::move(handlers)}, peer_{std::move(peer)},
      counter_{options_.limits.max_calls_in_flight} {}

  ~memory_connection() override {
    if (open_.load())
      if (auto other = other_.lock()) other->peer_closed(status::error(errc::closed, "peer went away"));
  }

  // The dialer owns the listener's side (nothing else would); the listener's side only sees it.
  void pair_with(const std::shared_ptr<memory_connection>& other, bool own) {
    other_ = other;
    if (own) owned_ = other;
  }

  status send(frame f) override {
    if (!open_.load())
      return status::error(errc::closed, "connection to " + peer_ + " is closed");
    if (f.body.size() > options_.limits.max_frame_size)
      return status::error(errc::frame_too_large, "frame of " + std::to_string(f.body.size()) + " bytes, limit "
                                                    + std::to_string(options_.limits.max_frame_size));
    if (auto st = counter_.on_send(f); !st)
      return st;
    auto other = other_.lock();
    if (!other)
      return status::error(errc::closed, "connection to " + peer_ + " is closed");
    delivery::instance().post([other, f = std::move(f)]() mutable { other->receive(std::move(f)); });
    return {};
  }

  void close(status reason) override {
    if (!open_.exchange(false))
      return;
    if (!reason.ok() && reason.code != errc::closed)
      log_close(options_, "memory", peer_, reason);
    auto self = shared_from_this();
    delivery::instance().post([self, reason] {
      if (self->handlers_.on_close) self->handlers_.on_close(self, reason);
    });
    if (auto other = other_.lock())
      other->peer_closed(reason);
  }

  bool is_open() const override { return open_.load(); }
  std::string peer() const override { return peer_; }
  // No hellos here: the dialer reads the flags the listener's side would have said.
  uint16_t peer_flags() const override { return peer_flags_; }
  void set_peer_flags(uint16_t flags) { peer_flags_ = flags; }

 private:
  void receive(frame f) {
    if (!open_.load())
      return;
    if (auto st = counter_.on_receive(f); !st) {
      close(std::move(st));
      return;
    }
    if (handlers_.on_frame)
      handlers_.on_frame(shared_from_this(), std::move(f));
  }

  void peer_closed(const status& reason) {
    if (!open_.exchange(false))
      return;
    auto self = shared_from_this();
    auto told = reason.ok() ? status::error(errc::closed, "peer closed the connection")
                            : status::error(reason.code, "peer closed: " + reason.message);
    delivery::instance().post([self, told] {
      if (self->handlers_.on_close) self->handlers_.on_close(self, told);
    });
  }

  transport_options options_;
  connection_handlers handlers_;
  std::string peer_;
  call_counter counter_;
  std::weak_ptr<memory_connection> other_;
  std::shared_ptr<memory_connection> owned_;
  std::atomic<bool> open_{true};
  uint16_t peer_flags_ = 0;  // set before the connection is shared
};

struct listening {
  transport_options options;
  connection_handlers handlers;
};

// Listeners by address, process-wide: a memory transport made elsewhere in the process dials them.
struct directory {
  std::mutex mutex;
  std::map<std::string, std::shared_ptr<listening>> listeners;
  uint64_t next_name = 0;
  static directory& instance() {
    static auto* d = new directory;
    return *d;
  }
};

class memory_listener final : public listener {
 public:
  explicit memory_listener(std::string address) : address_{std::move(address)} {}
  ~memory_listener() override { close(); }
  std::string address() const override { return address_; }
  void close() override {
    auto& dir = directory::instance();
    std::lock_guard lock{dir.mutex};
    dir.listeners.erase(address_);
  }

 private:
  std::string address_;
};

class memory_transport final : public transport {
 public:
  explicit memory_transport(transport_options options) : options_{std::move(options)} {}
  std::string name() const override { return "memory"; }
  const transport_options& options() const override { return options_; }

  result<connection_ptr> dial(const std::string& address, connection_handlers handlers) override {
    std::shared_ptr<listening> target;
    {
      auto& dir = directory::instance();
      std::lock_guard lock{dir.mutex};
      auto it = dir.listeners.find(address);
      if (it != dir.listeners.end()) target = it->second;
    }
    if (!target)
      return {status::error(errc::connect_failed, "memory: nothing listens on \"" + address + "\""), nullptr};
    auto mine = std::make_shared<memory_connection>(options_, std::move(handlers), address);
    auto theirs = std::make_shared<memory_connection>(target->options, target->handlers, "dialer of " + address);
    mine->pair_with(theirs, true);
    theirs->pair_with(mine, false);
    mine->set_peer_flags(target->options.hello_flags);
    theirs->set_peer_flags(options_.hello_flags);
    return {{}, mine};
  }

  result<std::unique_ptr<listener>> listen(const std::string& address, connection_handlers handlers) override {
    auto& dir = directory::instance();
    std::lock_guard lock{dir.mutex};
    auto name = address.empty() ? "memory-" + std::to_string(++dir.next_name) : address;
    if (dir.listeners.count(name) > 0)
      return {status::error(errc::invalid_address, "memory: \"" + name + "\" is already listened on"), nullptr};
    dir.listeners[name] = std::make_shared<listening>(listening{options_, std::move(handlers)});
    return {{}, std::make_unique<memory_listener>(name)};
  }

 private:
  transport_options options_;
};

}  // namespace

std::shared_ptr<transport> make_memory_transport(transport_options options) {
  return std::make_shared<memory_transport>(std::move(options));
}

}  // namespace micro::transport
