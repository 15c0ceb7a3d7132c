#pragma once
// What an actor that opened a stream (micro/actor_api.hpp, open_stream_async) receives from it.
// Local only: never crosses a node (the stream endpoint runs in the listener's process).

#include <cstdint>
#include <string>

#include "caf/allowed_unsafe_message_type.hpp"

namespace micro::actors {

struct stream_event {
  enum class kind : std::uint8_t {
    opened,    // the server accepted the stream
    message,   // `body` arrived; sent as a request: the handler's return gives the credit back
    writable,  // a try_send that found no room can be retried now
    closed,    // the stream ended: code 0 = cleanly (the server's ok), else why
  };
  uint64_t stream = 0;  // async_stream::id(), to tell one actor's streams apart
  kind what = kind::message;
  std::string body;
  int32_t code = 0;
  std::string error_id;
  std::string detail;
};

}  // namespace micro::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(micro::actors::stream_event)
