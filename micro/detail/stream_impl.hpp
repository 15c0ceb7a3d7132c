#pragma once
// Private: what a raw_stream holds, and the bridges between the facade's streams and the actor
// layer's (actors/stream_channel.hpp, actors/service_actor.hpp).

#include <memory>
#include <string>

#include "actors/service_actor.hpp"
#include "actors/stream_channel.hpp"
#include "caf/actor.hpp"
#include "micro/call_options.hpp"
#include "micro/detail/client_impl.hpp"
#include "micro/async_stream.hpp"
#include "micro/stream.hpp"

namespace micro {

struct raw_stream::impl {
  std::shared_ptr<actors::stream_channel> channel;
  std::string send_content_type;
  std::string recv_content_type;
  context ctx;
  bool client_side = false;  // a client stream dropped before its end is cancelled

  ~impl();
};

namespace detail {

/// The service actor's form of a stream endpoint served by `fn`: a micro::error thrown by it
/// or returned becomes the stream's final status.
actors::stream_handler make_stream_runner(raw_stream_handler fn);

/// The service actor's form of an asynchronous stream endpoint (micro/async_stream.hpp): `fn`
/// runs on the service actor at each open and sets the callbacks; a micro::error it throws
/// refuses the stream with its code.
actors::stream_handler make_async_stream_opener(raw_async_stream_handler fn);

/// A stream's end as a status (ok for code 0).
status to_status(const actors::stream_end& end);

/// A client stream before its open: the open as a call (candidates empty until resolved, as
/// for calls), the stream's deadline and window, and what the user's side will know.
struct prepared_stream {
  prepared_call call;
  call_options open_options;   // for resolve_into
  int64_t stream_timeout_ns = 0;
  uint32_t window = 0;
  context ctx;
  std::string send_content_type;
  std::string recv_content_type;
};

result<prepared_stream> prepare_stream(client& c, const context& parent, const std::string& service,
                                       const std::string& endpoint, const stream_options& opts);

/// Spawns the client's endpoint actor for a resolved stream; with a `listener`, what arrives
/// goes to it as stream_events (the actor API).
void start_stream(actors::runtime& rt, prepared_stream&& prepared, std::shared_ptr<actors::stream_channel> channel,
                  caf::actor listener = {}, uint64_t listener_stream = 0);

/// The user's side of a client stream.
std::shared_ptr<raw_stream::impl> make_client_side(const prepared_stream& prepared,
                                                   std::shared_ptr<actors::stream_channel> channel);

}  // namespace detail
}  // namespace micro
