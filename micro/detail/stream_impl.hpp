#pragma once
// Private: what a raw_stream holds, and the bridges between the facade's streams and the actor
// layer's (actors/stream_channel.hpp, actors/service_actor.hpp).

#include <memory>
#include <string>

#include "actors/service_actor.hpp"
#include "actors/stream_channel.hpp"
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

/// A stream's end as a status (ok for code 0).
status to_status(const actors::stream_end& end);

}  // namespace detail
}  // namespace micro
