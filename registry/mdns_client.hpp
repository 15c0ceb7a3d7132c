// A libavahi-client connection with its own threaded poll: the Avahi calls of
// the mdns registry run on that poll's thread, so no caller waits on the daemon.
// Not a public header of the registry interface: only mdns*.cpp include it.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "registry/status.hpp"

struct AvahiClient;
struct AvahiThreadedPoll;
struct AvahiPoll;
struct AvahiTimeout;

namespace micro::registry::mdns {

class avahi_connection {
 public:
  // Called on the poll thread with the poll locked: `running` each time the
  // client reaches AVAHI_CLIENT_S_RUNNING (first time and after a reconnect),
  // `lost` when the daemon went away (the objects made with the old client are
  // already gone: forget them, do not free them).
  struct hooks {
    std::function<void(AvahiClient*)> running;
    std::function<void()> lost;
  };

  // Connects and starts the poll thread. unavailable, with a message saying how
  // to start a daemon, if none can be reached.
  static result<std::unique_ptr<avahi_connection>> open(hooks h);

  ~avahi_connection();  // stops the poll thread, frees the client

  avahi_connection(const avahi_connection&) = delete;
  avahi_connection& operator=(const avahi_connection&) = delete;

  // Locks the poll: hold it (through poll_guard) around every Avahi call made
  // off the poll thread. Never on the poll thread (the hooks already hold it).
  void lock_poll();
  void unlock_poll();

  // The client state callback (through a trampoline in the .cpp); poll thread.
  void state_changed(AvahiClient* c, int state);

  // The reconnect timer fired (poll thread).
  void retry_fired(AvahiTimeout* t);

  // The current client, or nullptr while reconnecting. Call with the poll locked.
  AvahiClient* client() const { return client_; }

 private:
  explicit avahi_connection(hooks h);
  void reconnect();

  hooks hooks_;
  AvahiThreadedPoll* poll_ = nullptr;
  AvahiClient* client_ = nullptr;
  AvahiTimeout* retry_ = nullptr;  // pending reconnect attempt, if any
  bool logged_loss_ = false;
  bool stopping_ = false;
};

// Holds the poll lock for a scope.
class poll_guard {
 public:
  explicit poll_guard(avahi_connection& c) : c_(c) { c_.lock_poll(); }
  ~poll_guard() { c_.unlock_poll(); }
  poll_guard(const poll_guard&) = delete;
  poll_guard& operator=(const poll_guard&) = delete;

 private:
  avahi_connection& c_;
};

// The message for "no daemon": how to start one and what else to use.
std::string no_daemon_message(const std::string& avahi_error);

}  // namespace micro::registry::mdns
