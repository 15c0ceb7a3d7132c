// bench-grpc-open-streams PORT N: opens N idle Echo streams to bench-grpc-server (each carries one
// echo, so the server holds it), prints "open N", and holds them until SIGTERM/SIGINT. scripts/bench
// reads both processes' RSS before and after: the memory an open stream costs.
#include <grpcpp/grpcpp.h>

#include <csignal>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "bench.grpc.pb.h"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: bench-grpc-open-streams PORT N\n";
    return 2;
  }
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);

  auto channel = grpc::CreateChannel(std::string{"127.0.0.1:"} + argv[1], grpc::InsecureChannelCredentials());
  auto stub = micro_bench::Streams::NewStub(channel);
  struct open_stream {
    grpc::ClientContext ctx;
    std::unique_ptr<grpc::ClientReaderWriter<micro_bench::Msg, micro_bench::Msg>> rw;
  };
  std::vector<std::unique_ptr<open_stream>> streams;
  micro_bench::Msg msg;
  msg.set_body(std::string(64, 'x'));
  for (std::size_t i = 0, n = std::stoul(argv[2]); i < n; ++i) {
    auto s = std::make_unique<open_stream>();
    s->rw = stub->Echo(&s->ctx);
    micro_bench::Msg echo;
    if (!s->rw->Write(msg) || !s->rw->Read(&echo)) {
      std::cerr << "bench-grpc-open-streams: stream " << i << " failed\n";
      return 1;
    }
    streams.push_back(std::move(s));
  }
  std::cout << "open " << streams.size() << std::endl;
  int sig = 0;
  sigwait(&set, &sig);
  for (auto& s : streams)
    s->ctx.TryCancel();
  return 0;
}
