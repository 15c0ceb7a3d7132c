#pragma once
// A stream served without a thread of its own (micro::server::handle_stream_async): the server's
// endpoint actor calls these, one at a time, on a scheduler thread, so none of them may block.
// 10,000 idle streams then cost 10,000 small actors and no thread each. Plain C++, no CAF.

#include <atomic>
#include <functional>
#include <string>

#include "actors/wire.hpp"

namespace micro::actors {

struct stream_callbacks {
  /// A message arrived. Its credit goes back to the client once this returns, so a slow
  /// callback slows the client down instead of queueing without bound.
  std::function<void(std::string&& body)> on_message;
  /// The client sends no more messages (a half-close); the server may still send and finish.
  std::function<void()> on_half_close;
  /// A try_send that found no credit (429) may be retried now.
  std::function<void()> on_writable;
  /// The stream is over, for whatever reason (the server's own finish, the client's cancel 499,
  /// the deadline 408, the client's death 503). Called once, last; the callbacks are dropped
  /// after it (so those that hold the stream's handle do not keep it alive).
  std::function<void(const stream_end& final_status)> on_end;
  /// While set, arriving messages wait in the endpoint (at most the window the client was
  /// granted) and no credit goes back: how a server that cannot send (429) stops its reader.
  /// Cleared from any thread, followed by stream_channel::wake() so the endpoint delivers them.
  std::atomic<bool> paused{false};
};

}  // namespace micro::actors
