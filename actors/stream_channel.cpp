#include "actors/stream_channel.hpp"

#include <algorithm>

namespace micro::actors {

namespace {

stream_end make_end(int32_t code, std::string detail) {
  return stream_end{code, "micro.stream", std::move(detail)};
}

}  // namespace

stream_channel::stream_channel(uint32_t recv_window) : recv_window_(std::max<uint32_t>(1, recv_window)) {
  peer_allowance_ = recv_window_;
}

void stream_channel::set_hooks(std::function<void()> wake, std::function<void(uint32_t)> grant) {
  std::unique_lock<std::mutex> lock{mutex_};
  wake_ = std::move(wake);
  grant_ = std::move(grant);
  if (wake_pending_) {  // work queued before the actor started (a cancel, a close_send)
    wake_pending_ = false;
    notify_wake(lock);
  }
}

void stream_channel::notify_wake(std::unique_lock<std::mutex>& lock) {
  std::function<void()> hook;
  if (!wake_pending_ && wake_) {
    wake_pending_ = true;
    hook = wake_;
  } else if (!wake_) {
    wake_pending_ = true;  // remembered for set_hooks
  }
  lock.unlock();
  if (hook)
    hook();
}

void stream_channel::call_grant(std::unique_lock<std::mutex>& lock, uint32_t n) {
  auto hook = grant_;
  lock.unlock();
  if (hook)
    hook(n);
}

void stream_channel::end_locked(stream_end status, bool drop_unread) {
  ended_ = true;
  aborted_ = drop_unread;
  peer_closed_ = true;
  open_answered_ = true;
  final_ = std::move(status);
  outbox_.clear();
  if (drop_unread)
    inbox_.clear();
  readable_.notify_all();
  writable_.notify_all();
}

stream_end stream_channel::send(std::string body) {
  std::unique_lock<std::mutex> lock{mutex_};
  for (;;) {
    if (ended_)
      return final_.code != 0 ? final_ : make_end(409, "the stream has ended");
    if (send_closed_)
      return make_end(409, "this side of the stream was closed for sending");
    if (credit_ > 0)
      break;
    writable_.wait(lock);
  }
  --credit_;
  sent_any_ = true;
  outbox_.push_back(std::move(body));
  notify_wake(lock);
  return {};
}

stream_end stream_channel::try_send(std::string body) {
  std::unique_lock<std::mutex> lock{mutex_};
  if (ended_)
    return final_.code != 0 ? final_ : make_end(409, "the stream has ended");
  if (send_closed_)
    return make_end(409, "this side of the stream was closed for sending");
  if (credit_ == 0) {
    want_writable_ = true;
    return make_end(429, "the peer has no room for more messages: wait until the stream is writable again");
  }
  --credit_;
  sent_any_ = true;
  outbox_.push_back(std::move(body));
  notify_wake(lock);
  return {};
}

bool stream_channel::recv(std::string& body) {
  std::unique_lock<std::mutex> lock{mutex_};
  readable_.wait(lock, [this] { return !inbox_.empty() || peer_closed_; });
  if (inbox_.empty())
    return false;
  body = std::move(inbox_.front());
  inbox_.pop_front();
  // Credit goes back in chunks of half the window: one message per chunk, not per message.
  if (++consumed_ < std::max<uint32_t>(1, recv_window_ / 2) || peer_closed_)
    return true;
  auto n = consumed_;
  consumed_ = 0;
  peer_allowance_ += n;
  call_grant(lock, n);
  return true;
}

void stream_channel::wake() {
  std::unique_lock<std::mutex> lock{mutex_};
  notify_wake(lock);
}

void stream_channel::close_send() {
  std::unique_lock<std::mutex> lock{mutex_};
  if (send_closed_ || ended_)
    return;
  send_closed_ = true;
  own_end_ = stream_end{};
  notify_wake(lock);
}

void stream_channel::finish_send(stream_end status) {
  std::unique_lock<std::mutex> lock{mutex_};
  if (ended_)
    return;
  send_closed_ = true;
  own_end_ = std::move(status);
  own_end_sent_ = false;  // a handler may finish after its side was half-closed
  notify_wake(lock);
}

void stream_channel::cancel(stream_end why) {
  std::unique_lock<std::mutex> lock{mutex_};
  if (ended_)
    return;
  send_closed_ = true;
  own_end_ = why;
  own_end_sent_ = false;  // a cancel after a half-close is still news for the peer
  end_locked(std::move(why), true);
  notify_wake(lock);
}

stream_end stream_channel::wait_end() {
  std::unique_lock<std::mutex> lock{mutex_};
  for (;;) {
    auto dropped = static_cast<uint32_t>(inbox_.size());
    inbox_.clear();
    if (ended_)
      return final_;
    if (dropped > 0 && !peer_closed_) {
      peer_allowance_ += dropped;
      call_grant(lock, dropped);  // unread messages are consumed too, or the peer could never finish
      lock.lock();
      continue;
    }
    readable_.wait(lock);
  }
}

bool stream_channel::has_sent() const {
  std::lock_guard<std::mutex> guard{mutex_};
  return sent_any_;
}

stream_end stream_channel::final_status() const {
  std::lock_guard<std::mutex> guard{mutex_};
  return final_;
}

bool stream_channel::ended() const {
  std::lock_guard<std::mutex> guard{mutex_};
  return ended_;
}

stream_end stream_channel::wait_open() {
  std::unique_lock<std::mutex> lock{mutex_};
  readable_.wait(lock, [this] { return open_answered_; });
  // A server that finished before the open's answer came back still opened the stream.
  return aborted_ ? final_ : stream_end{};
}

void stream_channel::opened() {
  std::lock_guard<std::mutex> guard{mutex_};
  open_answered_ = true;
  readable_.notify_all();
}

void stream_channel::add_credit(uint32_t n) {
  std::lock_guard<std::mutex> guard{mutex_};
  credit_ += n;
  writable_.notify_all();
}

bool stream_channel::take_want_writable() {
  std::lock_guard<std::mutex> guard{mutex_};
  if (!want_writable_ || credit_ == 0 || ended_)
    return false;
  want_writable_ = false;
  return true;
}

bool stream_channel::deliver(std::vector<std::string>&& items) {
  std::lock_guard<std::mutex> guard{mutex_};
  if (ended_ || peer_closed_)
    return true;  // late messages after a cancel: nobody reads them
  if (items.size() > peer_allowance_)
    return false;
  peer_allowance_ -= items.size();
  for (auto& item : items)
    inbox_.push_back(std::move(item));
  readable_.notify_all();
  return true;
}

void stream_channel::peer_closed() {
  std::lock_guard<std::mutex> guard{mutex_};
  peer_closed_ = true;
  readable_.notify_all();
}

void stream_channel::peer_finished(stream_end status) {
  std::lock_guard<std::mutex> guard{mutex_};
  if (ended_)
    return;
  end_locked(std::move(status), false);
}

void stream_channel::abort(stream_end why) {
  std::lock_guard<std::mutex> guard{mutex_};
  if (ended_)
    return;
  end_locked(std::move(why), true);
}

stream_channel::outgoing stream_channel::take_outgoing() {
  std::lock_guard<std::mutex> guard{mutex_};
  wake_pending_ = false;
  outgoing out;
  out.items.swap(outbox_);
  if (own_end_ && !own_end_sent_) {
    out.end = own_end_;
    own_end_sent_ = true;
  }
  return out;
}

}  // namespace micro::actors
