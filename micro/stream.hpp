#pragma once
// Streams: many messages each way over one open, in order, none lost or duplicated, with
// credit-based flow control. Bidirectional, client-streaming and server-streaming are the same
// mechanism used one way or both.
//
//   // server: runs on a thread of its own for the stream's life
//   srv.handle_stream("Chat.Talk", [](const micro::context& ctx, micro::server_stream<Msg, Msg>& s) {
//     Msg in;
//     while (s.recv(in))    // false once the client called close_send() (or the stream ended)
//       s.send(in);         // blocks while the client has no room (its window is full)
//   });                     // returning ends the stream with ok; throw micro::error to fail it
//
//   // client
//   auto s = client.stream<Msg, Msg>("chat", "Chat.Talk");    // result<client_stream<Msg, Msg>>
//   s->send(msg); s->close_send();
//   Msg out; while (s->recv(out)) { ... }
//   micro::status st = s->finish();                           // the server's final status
//
// Flow control: the receiver grants a window (64 messages by default, MICRO_STREAM_WINDOW);
// a sender without credit waits in send(), so a fast sender and a slow reader keep memory bounded
// on both nodes. Credit goes back every half window read. When the sender is ahead, many
// messages travel in one CAF message.
// Ending: close_send() is a half-close (the other direction goes on); cancel() ends both
// directions at once (the peer sees 499); the deadline (stream_options::timeout, or the parent
// context's) ends it with 408 on both sides; a peer that dies ends it with 503 within the
// connection-loss detection time (at once for a closed connection, heartbeat timeout for a
// frozen node). Dropping a client stream that has not ended cancels it.
// Threads: one thread may send while another receives; two concurrent senders (or receivers)
// are safe but their messages interleave in an unspecified order.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "codecs/codec.hpp"
#include "micro/context.hpp"
#include "micro/result.hpp"
#include "micro/selector.hpp"

namespace micro {

/// Endpoint metadata key marking a stream endpoint in the registry (go-micro's {"stream": "true"}).
constexpr const char* stream_endpoint_key = "stream";

/// Code of a stream ended by cancel() (nginx's "client closed request").
constexpr int32_t stream_cancelled_code = 499;

struct stream_options {
  std::chrono::milliseconds timeout{0};       // the whole stream's deadline; 0: none beyond the parent's
  std::chrono::milliseconds open_timeout{0};  // bound on opening; 0: the client's request timeout
  uint32_t window = 0;                        // messages the server may send ahead of recv(); 0: the client's
  std::string content_type;                   // of the messages sent; empty: the client's, else Req's codec
  std::string accept;                         // of the messages received; empty: Rsp's codec
  micro::metadata metadata;                   // sent with the open (merged over the parent's)
  std::vector<named_filter> filters;          // as for calls
  std::vector<std::string> addresses;         // host:port list that bypasses the registry
  std::optional<micro::strategy> strategy;    // empty: the client's
  std::optional<std::size_t> retries;         // of the open only; a stream that broke is not reopened

  stream_options& with_timeout(std::chrono::milliseconds t) { timeout = t; return *this; }
  stream_options& with_open_timeout(std::chrono::milliseconds t) { open_timeout = t; return *this; }
  stream_options& with_window(uint32_t w) { window = w; return *this; }
  stream_options& with_content_type(std::string ct) { content_type = std::move(ct); return *this; }
  stream_options& with_accept(std::string ct) { accept = std::move(ct); return *this; }
  stream_options& with_metadata(std::string k, std::string v) { metadata[std::move(k)] = std::move(v); return *this; }
  stream_options& with_filter(named_filter f) { filters.push_back(std::move(f)); return *this; }
  stream_options& with_address(std::string a) { addresses.push_back(std::move(a)); return *this; }
  stream_options& with_strategy(micro::strategy s) { strategy = s; return *this; }
  stream_options& with_retries(std::size_t n) { retries = n; return *this; }
};

/// One side of a stream at the byte level (the CLI's, and what the typed streams wrap).
class raw_stream {
 public:
  struct impl;
  raw_stream() = default;
  explicit raw_stream(std::shared_ptr<impl> i);
  raw_stream(raw_stream&&) noexcept = default;
  raw_stream& operator=(raw_stream&&) noexcept = default;
  raw_stream(const raw_stream&) = delete;
  raw_stream& operator=(const raw_stream&) = delete;
  ~raw_stream();

  bool valid() const noexcept { return impl_ != nullptr; }

  /// Sends one message; waits while the peer has no room. Fails once the stream has ended (with
  /// its status), after close_send() (409), or on an invalid stream (400).
  status send(std::string body);
  /// The next message; false at the end of the peer's messages: then final_status() says why
  /// (ok after a clean end).
  bool recv(std::string& body);
  /// No more messages from this side; the peer's recv() returns false once it read the rest.
  status close_send();
  /// Ends the stream in both directions now; the peer sees `code` (499 by default) and `why`.
  void cancel(const std::string& why = "cancelled", int32_t code = stream_cancelled_code);
  /// Client: close_send(), then wait for the server's final status (unread messages are
  /// dropped). Server: the status the stream ended with so far.
  status finish();
  /// The stream's end as known now: ok while it runs or after a clean end.
  status final_status() const;
  bool ended() const;

  /// Content type of the messages this side sends, and of those it receives.
  const std::string& send_content_type() const;
  const std::string& recv_content_type() const;
  /// The open's context: service, endpoint, metadata and the stream's deadline.
  const context& ctx() const;

 private:
  std::shared_ptr<impl> impl_;
};

/// The typed side of a stream that sends `Out` and receives `In`: messages go through the
/// codecs of the stream's content types, like a call's.
template <class Out, class In>
class typed_stream {
 public:
  typed_stream() = default;
  explicit typed_stream(raw_stream raw) : raw_(std::move(raw)) {}

  status send(const Out& msg) {
    std::string body;
    if (auto st = codecs::encode(raw_.send_content_type(), msg, body); !st)
      return errors::bad_request("micro.stream", "cannot encode a message of " + raw_.ctx().endpoint() + ": " + st.message);
    return raw_.send(std::move(body));
  }

  /// The next message; false at the end (final_status() says why). A message that cannot be
  /// decoded ends the stream with 400 on both sides.
  bool recv(In& msg) {
    std::string body;
    if (!raw_.recv(body))
      return false;
    msg = In{};
    if (auto st = codecs::decode(raw_.recv_content_type(), body, msg); !st) {
      raw_.cancel("cannot decode a message of " + raw_.ctx().endpoint() + ": " + st.message, 400);
      return false;
    }
    return true;
  }

  status close_send() { return raw_.close_send(); }
  void cancel(const std::string& why = "cancelled", int32_t code = stream_cancelled_code) { raw_.cancel(why, code); }
  status finish() { return raw_.finish(); }
  status final_status() const { return raw_.final_status(); }
  bool ended() const { return raw_.ended(); }
  const context& ctx() const { return raw_.ctx(); }
  raw_stream& raw() noexcept { return raw_; }

 private:
  raw_stream raw_;
};

/// The client's side: sends Req, receives Rsp.
template <class Req, class Rsp>
using client_stream = typed_stream<Req, Rsp>;

/// The server's side: receives Req, sends Rsp.
template <class Req, class Rsp>
using server_stream = typed_stream<Rsp, Req>;

/// A stream handler at the byte level; returning ends the stream with its status.
using raw_stream_handler = std::function<status(raw_stream&)>;

namespace detail {

/// Deduces Req and Rsp from a handler `R(const context&, server_stream<Req, Rsp>&)`, R = void or status.
template <class T>
struct stream_handler_traits : stream_handler_traits<decltype(&std::decay_t<T>::operator())> {};

template <class R, class Ctx, class Out, class In>
struct stream_handler_traits<R (*)(Ctx, typed_stream<Out, In>&)> {
  using request = In;
  using response = Out;
  static_assert(std::is_same_v<std::decay_t<Ctx>, context>, "a stream handler's first argument is a micro::context");
  static_assert(std::is_void_v<R> || std::is_same_v<R, status>, "a stream handler returns void or micro::status");
};

template <class R, class C, class Ctx, class S>
struct stream_handler_traits<R (C::*)(Ctx, S) const> : stream_handler_traits<R (*)(Ctx, S)> {};

template <class R, class C, class Ctx, class S>
struct stream_handler_traits<R (C::*)(Ctx, S)> : stream_handler_traits<R (*)(Ctx, S)> {};

}  // namespace detail

/// Stream endpoint actors alive in this process (client and server sides); 0 when no stream
/// is open: the figure the leak checks watch.
std::size_t live_streams() noexcept;

}  // namespace micro
