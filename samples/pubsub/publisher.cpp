// pubsub-publisher [N [INTERVAL_MS]]: publishes N events (default 5) on "example.topic.pubsub",
// INTERVAL_MS apart (default 0; scripts/soak paces it), and says, for each, whether every
// subscribing node accepted it.
#include <chrono>
#include <iostream>
#include <string>
#include <thread>

#include "event.pb.h"
#include "micro/micro.hpp"

int main(int argc, char** argv) {
  micro::options opts;
  std::vector<std::string> args;
  if (auto st = micro::apply_environment(opts); !st) {
    std::cerr << st.error().to_json() << "\n";
    return 1;
  }
  if (auto flags = micro::apply_flags(opts, argc, argv, &args); !flags) {
    std::cerr << flags.error().to_json() << "\n";
    return 1;
  }
  int count = args.empty() ? 5 : std::stoi(args[0]);
  auto interval = std::chrono::milliseconds{args.size() > 1 ? std::stoi(args[1]) : 0};
  micro::client client{opts};
  int failed = 0;
  for (int i = 1; i <= count; ++i) {
    pubsub::Event e;
    e.set_id("event-" + std::to_string(i));
    e.set_timestamp(std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count());
    e.set_message("hello number " + std::to_string(i));
    auto st = client.publish("example.topic.pubsub", e, micro::publish_options{}.with_metadata("source", "publisher"));
    std::cout << "published " << e.id() << (st ? " (queued)" : " failed: " + st.error().to_json()) << std::endl;
    failed += st ? 0 : 1;
    if (interval.count() > 0)
      std::this_thread::sleep_for(interval);
  }
  // Asynchronous by default (MICRO_PUBLISH_MODE): wait until every publication is settled.
  client.flush_publications(std::chrono::seconds{5});
  auto stats = client.publications();
  std::cout << stats.published << " accepted by every subscribing node, " << stats.failed << " failed" << std::endl;
  return failed == 0 && stats.failed == 0 ? 0 : 1;
}
