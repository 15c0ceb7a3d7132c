// stream-client [FROM TO]: counts FROM..TO (default 1..5) through Counter.Count, then chats
// through Echo.Chat (one reply per message, then a half-close), printing what comes back; both
// through stream.proto's generated clients.
#include <iostream>
#include <string>

#include "micro/micro.hpp"
#include "stream.micro.h"

using namespace streaming;

namespace {

// The stream's end: "ok", or the error as JSON; true for ok.
bool report(const char* what, const micro::status& st) {
  std::cout << what << " ended: " << (st ? std::string{"ok"} : st.error().to_json()) << std::endl;
  return st.ok();
}

bool count(micro::client& client, int32_t from, int32_t to) {
  CountRequest req;
  req.set_from(from);
  req.set_to(to);
  req.set_delay_ms(100);
  auto s = CounterClient{client, "streamer"}.Count(req);  // sends req, then half-closes
  if (!s)
    return report("Counter.Count", s.error());
  std::cout << "Counter.Count " << from << ".." << to << ":" << std::endl;
  CountValue v;
  while (s->recv(v))  // each value as the server sends it
    std::cout << "  value " << v.value() << std::endl;
  return report("Counter.Count", s->final_status());
}

bool chat(micro::client& client) {
  auto s = EchoClient{client, "streamer"}.Chat();
  if (!s)
    return report("Echo.Chat", s.error());
  std::cout << "Echo.Chat:" << std::endl;
  ChatMessage msg;
  ChatReply reply;
  for (const char* text : {"hello", "stream", "goodbye"}) {
    msg.set_text(text);
    if (!s->send(msg) || !s->recv(reply))
      break;
    std::cout << "  sent \"" << text << "\", got \"" << reply.text() << "\" (#" << reply.count() << ")" << std::endl;
  }
  return report("Echo.Chat", s->finish());  // half-close, then the server's final status
}

}  // namespace

int main(int argc, char** argv) {
  micro::options opts;
  std::vector<std::string> args;
  if (auto st = micro::apply_environment(opts); !st) {
    std::cerr << st.error().to_json() << "\n";
    return 2;
  }
  if (auto flags = micro::apply_flags(opts, argc, argv, &args); !flags) {
    std::cerr << flags.error().to_json() << "\n";
    return 2;
  }
  int32_t from = args.size() >= 1 ? std::stoi(args[0]) : 1;
  int32_t to = args.size() >= 2 ? std::stoi(args[1]) : 5;
  micro::client client{opts};
  bool counted = count(client, from, to);
  bool chatted = chat(client);
  return counted && chatted ? 0 : 1;
}
