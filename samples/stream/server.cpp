// stream-server: the service "streamer" with two stream endpoints, implemented through
// stream.proto's generated handlers. Counter.Count sends the numbers from..to (server
// streaming); Echo.Chat sends every message back with how many it has seen (bidirectional).
// Each stream runs its handler on a thread of its own.
#include <chrono>
#include <thread>

#include "micro/micro.hpp"
#include "stream.micro.h"

using namespace streaming;

namespace {

struct counter final : CounterHandler {
  // The generated registration has read the one request already.
  void Count(const micro::context&, const CountRequest& req, micro::server_stream<CountRequest, CountValue>& s) override {
    if (req.to() < req.from())
      throw micro::errors::bad_request("streamer", "Counter.Count: to is less than from");
    CountValue out;
    for (auto v = req.from(); v <= req.to(); ++v) {
      if (v != req.from())
        std::this_thread::sleep_for(std::chrono::milliseconds{req.delay_ms()});
      out.set_value(v);
      if (!s.send(out))
        return;  // cancelled, past its deadline or the client died: nobody to tell
    }
  }  // returning ends the stream with ok
};

struct echo final : EchoHandler {
  void Chat(const micro::context&, micro::server_stream<ChatMessage, ChatReply>& s) override {
    ChatMessage in;
    ChatReply out;
    int32_t count = 0;
    while (s.recv(in)) {  // false once the client half-closed
      out.set_text(in.text());
      out.set_count(++count);
      if (!s.send(out))
        return;
    }
  }
};

}  // namespace

int main(int argc, char** argv) {
  micro::service svc{micro::options{}.with_name("streamer")};
  svc.init(argc, argv);
  counter count_impl;
  echo echo_impl;
  RegisterCounterHandler(svc.server(), count_impl);
  RegisterEchoHandler(svc.server(), echo_impl);
  return svc.run();
}
