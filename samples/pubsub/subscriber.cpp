// pubsub-subscriber: a service that subscribes to "example.topic.pubsub". With --queue GROUP it
// joins a queue group (each event goes to one member of the group); prints what it gets.
#include <cstring>
#include <iostream>

#include "event.pb.h"
#include "micro/micro.hpp"

int main(int argc, char** argv) {
  std::string queue;
  std::vector<char*> rest;
  for (int i = 0; i < argc; ++i) {
    if (std::strcmp(argv[i], "--queue") == 0 && i + 1 < argc)
      queue = argv[++i];
    else
      rest.push_back(argv[i]);
  }
  micro::service svc{micro::options{}.with_name("pubsub-subscriber")};
  svc.init(static_cast<int>(rest.size()), rest.data());
  svc.server().subscribe(
      "example.topic.pubsub",
      [](const micro::context& ctx, const pubsub::Event& e) {
        std::cout << "received " << e.id() << " \"" << e.message() << "\""
                  << (ctx.get("source") ? " from " + *ctx.get("source") : "") << std::endl;
      },
      micro::subscribe_options{}.with_queue(queue));
  return svc.run();
}
