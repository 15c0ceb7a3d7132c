// bench-open-streams PORT N: micro's side of "RSS growth per 1,000 open streams" (gRPC's is
// bench-grpc-open-streams): idle Bench.StreamEcho streams to bench-echo-server micro on
// 127.0.0.1:PORT, opened and held as bench/hold_streams.hpp says.
#include <iostream>
#include <string>
#include <vector>

#include "bench/bench_config.hpp"
#include "bench/hold_streams.hpp"
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
  int rc = bench::hold_streams("bench-open-streams", std::stoul(argv[2]), open);
  for (auto& s : streams)
    s.cancel();
  return rc;
}
