// bench-open-streams PORT N [caf|tcp]: micro's side of "RSS growth per 1,000 open streams" (gRPC's
// is bench-grpc-open-streams): idle Bench.StreamEcho streams to bench-echo-server micro on
// 127.0.0.1:PORT, opened and held as bench/hold_streams.hpp says. tcp: PORT is the server's tcp
// transport port (MICRO_TRANSPORT=tcp), and every stream rides that one connection.
#include <iostream>
#include <string>
#include <vector>

#include "bench/bench_config.hpp"
#include "bench/hold_streams.hpp"
#include "micro/micro.hpp"

int main(int argc, char** argv) {
  std::string transport = argc == 4 ? argv[3] : "caf";
  if ((argc != 3 && argc != 4) || (transport != "caf" && transport != "tcp")) {
    std::cerr << "usage: bench-open-streams PORT N [caf|tcp]\n";
    return 2;
  }
  auto copts = bench::options_from_environment();
  copts.registry = "memory";
  auto opts = micro::stream_options{}.with_content_type("application/octet-stream");
  std::string address = std::string{"127.0.0.1:"} + argv[1];
  if (transport == "tcp")  // found with its metadata, as a registry would give it (bench-stream-client)
    copts.with_registry("static", "bench=" + address + ";transport=tcp;transport_address=" + argv[1]);
  else
    opts.with_address(address);
  micro::client client{copts};
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
