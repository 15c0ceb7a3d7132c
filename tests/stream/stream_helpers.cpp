#include "stream_helpers.hpp"

#include <fstream>

#include <catch2/catch.hpp>

namespace micro::test {

running_server start_stream_server(const std::string& name, std::map<std::string, std::string> env) {
  server_config cfg{name};
  cfg.binary = "micro-stream-test-server";
  cfg.env = std::move(env);
  return start_test_server(std::move(cfg));
}

json wait_stream_end(running_server& s, const std::string& endpoint, milliseconds timeout) {
  auto until = steady_clock::now() + timeout;
  for (;;) {
    auto left = std::chrono::duration_cast<milliseconds>(until - steady_clock::now());
    if (left.count() <= 0)
      return nullptr;
    auto line = s.proc->read_line(stream::out, left);
    if (!line)
      return nullptr;
    auto ev = json::parse(*line, nullptr, false);
    if (ev.is_object() && ev.value("event", "") == "stream-end" && ev.value("endpoint", "") == endpoint)
      return ev;
  }
}

json server_stats(micro::client& c, const std::string& service) {
  auto rsp = c.call<json>(service, "Debug.Stats", json::object());
  return rsp ? *rsp : json(nullptr);
}

long long own_rss() {
  std::ifstream status{"/proc/self/status"};
  std::string key;
  while (status >> key) {
    if (key == "VmRSS:") {
      long long kb = 0;
      status >> kb;
      return kb * 1024;
    }
    status.ignore(4096, '\n');
  }
  return 0;
}

}  // namespace micro::test
