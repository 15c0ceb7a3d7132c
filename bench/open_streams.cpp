// bench-open-streams PORT N: micro's side of "RSS per 1,000 open streams", as
// bench-grpc-open-streams is gRPC's. Connects to bench-echo-server micro with one stream (the
// connection's own cost), prints "connected rss_kib A" and waits for a line on stdin; then opens
// N idle Bench.StreamEcho streams (each carries one echo, so the server holds it), prints
// "open N rss_kib B" and holds them until stdin closes. scripts/bench reads the server's RSS at
// both points.
#include <iostream>
#include <string>
#include <vector>

#include "bench/bench_config.hpp"
#include "bench/rss.hpp"
#include "micro/micro.hpp"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: bench-open-streams PORT N\n";
    return 2;
  }
  auto copts = bench::options_from_environment();
  copts.registry = "memory";
  micro::client client{copts};
  auto opts = micro::stream_options{}
                .with_address(std::string{"127.0.0.1:"} + argv[1])
                .with_content_type("application/octet-stream");
  std::vector<micro::client_stream<std::string, std::string>> streams;
  const std::string msg(64, 'x');
  auto open = [&] {
    auto s = client.stream<std::string, std::string>("bench", "Bench.StreamEcho", opts);
    std::string echo;
    if (!s || !s->send(msg) || !s->recv(echo))
      return false;
    streams.push_back(std::move(*s));
    return true;
  };
  if (!open()) {
    std::cerr << "bench-open-streams: no stream to 127.0.0.1:" << argv[1] << "\n";
    return 1;
  }
  std::cout << "connected rss_kib " << bench::rss_kib() << std::endl;
  std::string line;
  std::getline(std::cin, line);
  for (std::size_t i = 0, n = std::stoul(argv[2]); i < n; ++i) {
    if (!open()) {
      std::cerr << "bench-open-streams: stream " << i << " failed\n";
      return 1;
    }
  }
  std::cout << "open " << streams.size() - 1 << " rss_kib " << bench::rss_kib() << std::endl;
  while (std::getline(std::cin, line)) {
  }
  for (auto& s : streams)
    s.cancel();
  return 0;
}
