#pragma once
// Where a call's response goes: a byte transport's connection (actors/transport_server.hpp) or a
// CAF requester's mailbox. Handed to the call gate with the request, so the worker that ran the
// handler answers itself, with no actor in between. Copyable (it may travel in a CAF message);
// the first answer wins, and if every copy is dropped unanswered (the service ended with the call
// queued) the caller gets a 503 at once instead of waiting for its timeout.

#include <atomic>
#include <functional>
#include <memory>
#include <utility>

#include "actors/wire.hpp"
#include "caf/allowed_unsafe_message_type.hpp"

namespace micro::actors {

class reply_sink {
 public:
  using writer = std::function<void(const response&)>;

  reply_sink() = default;
  explicit reply_sink(writer w) : state_{std::make_shared<state>(std::move(w))} {}

  /// Writes `rsp`, unless this call was answered already. Any thread.
  void operator()(const response& rsp) const {
    if (state_)
      state_->answer(rsp);
  }
  explicit operator bool() const { return state_ != nullptr; }

 private:
  struct state {
    explicit state(writer w) : write{std::move(w)} {}
    ~state() { answer(make_error_response(503, "micro.server", "the service ended before it answered the call")); }
    void answer(const response& rsp) {
      if (!answered.exchange(true))
        write(rsp);
    }
    std::atomic<bool> answered{false};
    writer write;
  };
  std::shared_ptr<state> state_;
};

}  // namespace micro::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(micro::actors::reply_sink)
