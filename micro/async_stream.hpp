#pragma once
// Server streams without a thread each (gRPC's callback API, in micro's terms). The handler runs
// once when a stream opens, sets callbacks and returns; messages, the client's half-close, room
// to send again and the end then arrive as calls of those callbacks, one at a time, on the
// stream's own actor. 10,000 idle streams cost 10,000 small actors, not 10,000 threads.
//
//   srv.handle_stream_async("Chat.Talk", [](const micro::context&, micro::async_server_stream<Msg, Msg> s) {
//     s.on_message([s](const Msg& in) mutable {
//       if (!s.try_send(reply_to(in)))  // 429: the client has no room
//         s.pause_reading();            // (keep the reply) read no more until on_writable
//     });
//     s.on_half_close([s]() mutable { s.finish(); });  // ok, after the queued messages
//   });
//
// Rules: callbacks must not block (no I/O, no nested blocking calls, no sleeps): they run on a
// scheduler thread shared with every actor of the process. Set them in the handler, before it
// returns (messages may arrive right after). try_send, finish and cancel may be called from any
// thread, at any time (e.g. from a worker that finished a job for this stream). A message's
// credit goes back to the client when on_message returns, so a stream whose callback hands work
// elsewhere should bound that work itself. The blocking handle_stream stays for handlers that
// want a thread (and may block).

#include <functional>
#include <memory>
#include <string>
#include <type_traits>

#include "codecs/codec.hpp"
#include "micro/context.hpp"
#include "micro/result.hpp"

namespace micro {

/// The server's side of an asynchronous stream at the byte level. A cheap handle: copies share
/// the stream.
class raw_async_server_stream {
 public:
  struct impl;
  raw_async_server_stream() = default;
  explicit raw_async_server_stream(std::shared_ptr<impl> i);

  bool valid() const noexcept { return impl_ != nullptr; }

  /// Queues one message without waiting: 429 when the client has no room (on_writable is
  /// called once it has), 409 after finish, the stream's end once it ended.
  status try_send(std::string body);
  /// Ends the stream with `final_status` (ok by default), after the messages queued so far.
  status finish(status final_status = {});
  /// Ends the stream now in both directions; the client sees `code` and `why`.
  void cancel(const std::string& why = "cancelled", int32_t code = 499);
  bool ended() const;
  /// Stops on_message until resume_reading(): arriving messages wait (at most the window the
  /// client was granted) and no credit goes back, so the client's sends wait too. For a server
  /// that cannot send (try_send said 429) and must not read further until on_writable.
  void pause_reading();
  void resume_reading();

  /// The callbacks (see the top of this header). on_end gets the final status: ok after a
  /// clean finish, else why (499 cancelled by the client, 408 deadline, 503 client gone or
  /// service stopping, 500 a callback threw).
  void on_message(std::function<void(std::string body)> f);
  void on_half_close(std::function<void()> f);
  void on_writable(std::function<void()> f);
  void on_end(std::function<void(const status& final_status)> f);

  const std::string& send_content_type() const;
  const std::string& recv_content_type() const;
  /// The open's context: service, endpoint, metadata and the stream's deadline.
  const context& ctx() const;

 private:
  std::shared_ptr<impl> impl_;
};

/// The typed handle: receives Req, sends Rsp, through the codecs of the stream's content types.
/// A message that cannot be decoded ends the stream with 400.
template <class Req, class Rsp>
class async_server_stream {
 public:
  async_server_stream() = default;
  explicit async_server_stream(raw_async_server_stream raw) : raw_(std::move(raw)) {}

  status try_send(const Rsp& msg) {
    std::string body;
    if (auto st = codecs::encode(raw_.send_content_type(), msg, body); !st)
      return errors::bad_request("micro.stream", "cannot encode a message of " + raw_.ctx().endpoint() + ": " + st.message);
    return raw_.try_send(std::move(body));
  }
  status finish(status final_status = {}) { return raw_.finish(std::move(final_status)); }
  void cancel(const std::string& why = "cancelled", int32_t code = 499) { raw_.cancel(why, code); }
  bool ended() const { return raw_.ended(); }
  void pause_reading() { raw_.pause_reading(); }
  void resume_reading() { raw_.resume_reading(); }

  void on_message(std::function<void(const Req&)> f) {
    raw_.on_message([raw = raw_, f = std::move(f)](std::string body) mutable {
      Req msg{};
      if (auto st = codecs::decode(raw.recv_content_type(), body, msg); !st) {
        raw.cancel("cannot decode a message of " + raw.ctx().endpoint() + ": " + st.message, 400);
        return;
      }
      f(msg);
    });
  }
  void on_half_close(std::function<void()> f) { raw_.on_half_close(std::move(f)); }
  void on_writable(std::function<void()> f) { raw_.on_writable(std::move(f)); }
  void on_end(std::function<void(const status&)> f) { raw_.on_end(std::move(f)); }

  const context& ctx() const { return raw_.ctx(); }
  raw_async_server_stream& raw() noexcept { return raw_; }

 private:
  raw_async_server_stream raw_;
};

/// An asynchronous stream handler at the byte level: sets the callbacks and returns. Throwing a
/// micro::error refuses the stream with its code.
using raw_async_stream_handler = std::function<void(raw_async_server_stream)>;

namespace detail {

/// Deduces Req and Rsp from `void(const context&, async_server_stream<Req, Rsp>)`.
template <class T>
struct async_stream_handler_traits : async_stream_handler_traits<decltype(&std::decay_t<T>::operator())> {};

template <class R, class Ctx, class Req, class Rsp>
struct async_stream_handler_traits<R (*)(Ctx, async_server_stream<Req, Rsp>)> {
  using request = Req;
  using response = Rsp;
  static_assert(std::is_same_v<std::decay_t<Ctx>, context>, "an async stream handler's first argument is a micro::context");
  static_assert(std::is_void_v<R>, "an async stream handler returns void (it sets callbacks)");
};

template <class R, class C, class Ctx, class S>
struct async_stream_handler_traits<R (C::*)(Ctx, S) const> : async_stream_handler_traits<R (*)(Ctx, S)> {};

template <class R, class C, class Ctx, class S>
struct async_stream_handler_traits<R (C::*)(Ctx, S)> : async_stream_handler_traits<R (*)(Ctx, S)> {};

}  // namespace detail

}  // namespace micro
