#include "registry/mdns_client.hpp"

#include <avahi-client/client.h>
#include <avahi-common/error.h>
#include <avahi-common/thread-watch.h>
#include <avahi-common/timeval.h>

#include <cstdio>
#include <utility>

namespace micro::registry::mdns {

std::string no_daemon_message(const std::string& avahi_error) {
  return "registry mdns: cannot reach the Avahi daemon (" + avahi_error +
         "). Start one with `scripts/avahi start` (in micro's source tree) or "
         "`sudo systemctl start avahi-daemon`, or choose another registry with "
         "MICRO_REGISTRY=memory|static";
}

namespace {
void on_state(AvahiClient* c, AvahiClientState state, void* self) {
  static_cast<avahi_connection*>(self)->state_changed(c, static_cast<int>(state));
}
void on_retry(AvahiTimeout* t, void* self) {
  static_cast<avahi_connection*>(self)->retry_fired(t);
}
}  // namespace

avahi_connection::avahi_connection(hooks h) : hooks_(std::move(h)) {}

result<std::unique_ptr<avahi_connection>> avahi_connection::open(hooks h) {
  std::unique_ptr<avahi_connection> self(new avahi_connection(std::move(h)));
  self->poll_ = avahi_threaded_poll_new();
  if (!self->poll_)
    return {status{errc::unavailable, "registry mdns: cannot create the Avahi poll"}, nullptr};
  int error = 0;
  // Without NO_FAIL: a missing daemon is an error now, not a silent wait.
  // on_state runs inside avahi_client_new (no poll thread yet, so no lock needed).
  self->client_ = avahi_client_new(avahi_threaded_poll_get(self->poll_), AvahiClientFlags(0),
                                   &on_state, self.get(), &error);
  if (!self->client_)
    return {status{errc::unavailable, no_daemon_message(avahi_strerror(error))}, nullptr};
  if (avahi_threaded_poll_start(self->poll_) < 0)
    return {status{errc::unavailable, "registry mdns: cannot start the Avahi poll thread"},
            nullptr};
  return {{}, std::move(self)};
}

avahi_connection::~avahi_connection() {
  if (poll_) {
    avahi_threaded_poll_lock(poll_);
    stopping_ = true;
    avahi_threaded_poll_unlock(poll_);
    avahi_threaded_poll_stop(poll_);
  }
  if (client_) avahi_client_free(client_);  // frees its groups, browsers, resolvers
  if (poll_) avahi_threaded_poll_free(poll_);
}

void avahi_connection::lock_poll() { avahi_threaded_poll_lock(poll_); }
void avahi_connection::unlock_poll() { avahi_threaded_poll_unlock(poll_); }

void avahi_connection::state_changed(AvahiClient* c, int state) {
  auto* self = this;
  if (self->stopping_) return;
  switch (static_cast<AvahiClientState>(state)) {
    case AVAHI_CLIENT_S_RUNNING:
      self->client_ = c;  // also set during avahi_client_new, before it returns
      if (self->logged_loss_) {
        std::fprintf(stderr, "registry mdns: reconnected to the Avahi daemon\n");
        self->logged_loss_ = false;
      }
      if (self->hooks_.running) self->hooks_.running(c);
      break;
    case AVAHI_CLIENT_FAILURE:
      if (avahi_client_errno(c) == AVAHI_ERR_DISCONNECTED && self->client_ == c) {
        if (!self->logged_loss_) {
          std::fprintf(stderr,
                       "registry mdns: lost the Avahi daemon; reconnecting and re-publishing "
                       "when it is back\n");
          self->logged_loss_ = true;
        }
        if (self->hooks_.lost) self->hooks_.lost();
        self->reconnect();
      }
      break;
    case AVAHI_CLIENT_S_COLLISION:
    case AVAHI_CLIENT_S_REGISTERING:
    case AVAHI_CLIENT_CONNECTING:
      break;
  }
}

// On the poll thread: frees the dead client and waits for the daemon with NO_FAIL
// (Avahi then reports S_RUNNING when it is back, without spinning). NO_FAIL does
// not cover a missing system bus: then it tries again every second, quietly.
void avahi_connection::reconnect() {
  if (AvahiClient* old = client_) {
    client_ = nullptr;
    avahi_client_free(old);
  }
  int error = 0;
  AvahiClient* c = avahi_client_new(avahi_threaded_poll_get(poll_), AVAHI_CLIENT_NO_FAIL,
                                    &on_state, this, &error);
  if (!c) {
    const AvahiPoll* api = avahi_threaded_poll_get(poll_);
    struct timeval tv;
    avahi_elapse_time(&tv, 1000, 0);
    if (!retry_) retry_ = api->timeout_new(api, &tv, &on_retry, this);
    else api->timeout_update(retry_, &tv);
    return;
  }
  client_ = c;
}

void avahi_connection::retry_fired(AvahiTimeout* t) {
  const AvahiPoll* api = avahi_threaded_poll_get(poll_);
  api->timeout_free(t);
  retry_ = nullptr;
  if (!stopping_) reconnect();
}

}  // namespace micro::registry::mdns
