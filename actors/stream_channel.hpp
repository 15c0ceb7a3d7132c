#pragma once
// What one side of a stream shares between the thread that uses it (send/recv, blocking) and
// its endpoint actor (actors/stream_endpoint.hpp), which talks to the peer. Plain C++: a mutex,
// two condition variables and two hooks into the actor, so it can be tested without CAF.
//
// Flow control lives here. The peer granted `credit` messages; send() takes one credit per
// message and waits when there is none, so at most a window of messages is ever queued on
// either node. recv() hands out what arrived and gives credit back to the peer in chunks of half
// the window. The actor drains the outgoing queue in one batch per wake-up: when the sender is
// ahead, many messages ride in one CAF message.

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "actors/lazy_fifo.hpp"
#include "actors/wire.hpp"

namespace micro::actors {

class stream_channel {
 public:
  /// `recv_window`: how many messages the peer may send ahead of recv() (at least 1).
  explicit stream_channel(uint32_t recv_window);

  uint32_t recv_window() const noexcept { return recv_window_; }

  // -- hooks into the endpoint actor ---------------------------------------------------------
  /// `wake` is called (outside the lock) when outgoing work appeared and no wake-up is pending;
  /// `grant` with credit to give back to the peer. Set by the actor when it starts, which may
  /// be while the user already holds the channel: guarded by the lock.
  void set_hooks(std::function<void()> wake, std::function<void(uint32_t)> grant);

  // -- the user's side ----------------------------------------------------------------------
  /// Queues `body` for the peer; waits while there is no credit. Code 0 = queued; otherwise the
  /// stream's end (it ended, was cancelled, failed) or 409 after close_send().
  stream_end send(std::string body);
  /// send() without waiting (the actor API's): code 429 and nothing queued when there is no
  /// credit; the endpoint then reports when there is (take_want_writable).
  stream_end try_send(std::string body);
  /// The next message; false at the end of the peer's messages (then see final_status()).
  bool recv(std::string& body);
  /// Wakes the endpoint actor (as queued work does) without queueing anything: an asynchronous
  /// server stream resumed reading (stream_callbacks::paused).
  void wake();
  /// No more messages from this side (sent after the queued ones). Idempotent.
  void close_send();
  /// This side's own final status (a server handler's outcome): like close_send, carrying it.
  void finish_send(stream_end status);
  /// Ends the stream from this side with `why` (e.g. 499 cancelled): both directions stop,
  /// queued messages are dropped, the peer is told.
  void cancel(stream_end why);
  /// Waits until the peer has ended the stream (draining and dropping unread messages, and
  /// granting credit for them so the peer can finish) or it failed; returns the final status.
  stream_end wait_end();
  /// Whether this side has queued a message to send yet (send or try_send).
  bool has_sent() const;
  /// The status the stream ended with (code 0 while it has not, or when it ended well).
  stream_end final_status() const;
  bool ended() const;

  // -- opening (client side) ----------------------------------------------------------------
  /// Waits until the open was answered; code 0 = accepted.
  stream_end wait_open();
  void opened();

  // -- the endpoint actor's side ------------------------------------------------------------
  void add_credit(uint32_t n);
  /// True once after a try_send found no credit and credit has come since.
  bool take_want_writable();
  /// Appends arrived messages; false if the peer sent more than its credit (a protocol error).
  bool deliver(std::vector<std::string>&& items);
  /// The peer sends no more messages (a half-close); those that arrived stay readable.
  void peer_closed();
  /// The peer ended the whole stream with `status` (a server's final status, seen by the
  /// client): unread messages stay readable, sends fail from now on.
  void peer_finished(stream_end status);
  /// The stream failed or was cancelled by the peer: everything stops, unread messages go.
  void abort(stream_end why);

  /// What the actor sends now: queued messages, then possibly the end of this side.
  struct outgoing {
    std::vector<std::string> items;
    std::optional<stream_end> end;   // this side's end (half-close, final status or cancel)
  };
  outgoing take_outgoing();

 private:
  void notify_wake(std::unique_lock<std::mutex>& lock);
  void end_locked(stream_end status, bool drop_unread);

  void call_grant(std::unique_lock<std::mutex>& lock, uint32_t n);

  const uint32_t recv_window_;
  std::function<void()> wake_;
  std::function<void(uint32_t)> grant_;
  mutable std::mutex mutex_;
  std::condition_variable readable_;  // recv, wait_end, wait_open
  std::condition_variable writable_;  // send
  uint64_t credit_ = 0;               // messages the peer will still take
  lazy_fifo<std::string> inbox_;
  std::vector<std::string> outbox_;
  uint32_t consumed_ = 0;             // read since credit was last given back
  uint64_t peer_allowance_ = 0;       // messages the peer may still send (credit we gave)
  bool wake_pending_ = false;
  bool want_writable_ = false;        // a try_send found no credit
  bool sent_any_ = false;             // a message was queued (has_sent)
  bool send_closed_ = false;          // close_send/finish_send/cancel was called
  std::optional<stream_end> own_end_; // to be sent after outbox_
  bool own_end_sent_ = false;
  bool peer_closed_ = false;          // no more messages will arrive
  bool ended_ = false;                // final status known; sends fail
  bool aborted_ = false;              // ended by a failure or cancel: unread messages dropped
  bool open_answered_ = false;
  stream_end final_;
};

}  // namespace micro::actors
