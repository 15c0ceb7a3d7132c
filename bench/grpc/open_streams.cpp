// bench-grpc-open-streams PORT N: the memory an open stream costs, on each side. Connects to
// bench-grpc-server with one stream (the connection's own cost), prints "connected rss_kib A" and
// waits for a line on stdin; then opens N idle Echo streams (each carries one echo, so the server
// holds it), prints "open N rss_kib B" and holds them until stdin closes. scripts/bench reads the
// server's RSS at both points.
#include <grpcpp/grpcpp.h>

#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "bench.grpc.pb.h"
#include "bench/rss.hpp"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: bench-grpc-open-streams PORT N\n";
    return 2;
  }
  auto channel = grpc::CreateChannel(std::string{"127.0.0.1:"} + argv[1], grpc::InsecureChannelCredentials());
  auto stub = micro_bench::Streams::NewStub(channel);
  struct open_stream {
    grpc::ClientContext ctx;
    std::unique_ptr<grpc::ClientReaderWriter<micro_bench::Msg, micro_bench::Msg>> rw;
  };
  std::vector<std::unique_ptr<open_stream>> streams;
  micro_bench::Msg msg;
  msg.set_body(std::string(64, 'x'));
  // The first stream is the connection's cost, not a stream's: opened before the baseline.
  auto open = [&] {
    auto s = std::make_unique<open_stream>();
    s->rw = stub->Echo(&s->ctx);
    micro_bench::Msg echo;
    if (!s->rw->Write(msg) || !s->rw->Read(&echo))
      return false;
    streams.push_back(std::move(s));
    return true;
  };
  if (!open()) {
    std::cerr << "bench-grpc-open-streams: no stream to 127.0.0.1:" << argv[1] << "\n";
    return 1;
  }
  std::cout << "connected rss_kib " << bench::rss_kib() << std::endl;
  std::string line;
  std::getline(std::cin, line);
  for (std::size_t i = 0, n = std::stoul(argv[2]); i < n; ++i) {
    if (!open()) {
      std::cerr << "bench-grpc-open-streams: stream " << i << " failed\n";
      return 1;
    }
  }
  std::cout << "open " << streams.size() - 1 << " rss_kib " << bench::rss_kib() << std::endl;
  while (std::getline(std::cin, line)) {
  }
  for (auto& s : streams)
    s->ctx.TryCancel();
  return 0;
}
