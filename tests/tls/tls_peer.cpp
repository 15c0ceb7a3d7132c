// A caller process for the TLS tests: streams and publications, which ride the caf transport
// whatever MICRO_TRANSPORT says. Configured only through MICRO_* (TLS, registry), as a user's
// program would be. Usage: micro-tls-peer SERVICE
//   opens SERVICE's Test.Stream, sends three messages and reads their echoes -> "stream ok 3"
//   publishes {"tag":"tls"} to test.events, acknowledged                       -> "published"
//   reads SERVICE's Test.Log until the publication is there                     -> "delivered"
// The first step that fails prints its error JSON on stderr and exits 1 (stream), 2 (publish) or
// 3 (not delivered within 10 s).
#include <chrono>
#include <iostream>
#include <thread>

#include <nlohmann/json.hpp>

#include "micro/micro.hpp"

using json = nlohmann::json;
using namespace std::chrono_literals;

int main(int argc, char* argv[]) {
  if (argc != 2) {
    std::cerr << "usage: micro-tls-peer SERVICE" << std::endl;
    return 64;
  }
  const std::string service = argv[1];
  micro::client client;

  auto s = client.stream<json, json>(service, "Test.Stream");
  if (!s) {
    std::cerr << s.error().to_json() << std::endl;
    return 1;
  }
  int echoed = 0;
  for (int i = 1; i <= 3; ++i) {
    json reply;
    if (!s->send(json{{"i", i}}) || !s->recv(reply) || reply["echo"].value("i", 0) != i)
      break;
    ++echoed;
  }
  auto end = s->finish();
  if (echoed != 3 || !end) {
    std::cerr << (end ? R"({"code":500,"detail":"echoes missing"})" : end.error().to_json()) << std::endl;
    return 1;
  }
  std::cout << "stream ok " << echoed << std::endl;

  auto published = client.publish("test.events", json{{"tag", "tls"}},
                                  micro::publish_options{}.with_mode(micro::delivery::acknowledged));
  if (!published) {
    std::cerr << published.error().to_json() << std::endl;
    return 2;
  }
  std::cout << "published" << std::endl;

  // Accepted means queued on the node: its subscriber runs a moment later, so poll its log.
  auto until = std::chrono::steady_clock::now() + 10s;
  while (std::chrono::steady_clock::now() < until) {
    auto log = client.call<json, json>(service, "Test.Log", json::object());
    if (log)
      for (auto& ev : *log)
        if (ev.value("event", "") == "publication" && ev["body"].value("tag", "") == "tls") {
          std::cout << "delivered" << std::endl;
          return 0;
        }
    std::this_thread::sleep_for(20ms);
  }
  std::cerr << R"({"code":408,"detail":"the publication never reached the subscriber"})" << std::endl;
  return 3;
}
