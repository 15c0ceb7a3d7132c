// bench-grpc-open-streams PORT N: gRPC's side of "RSS growth per 1,000 open streams": idle
// Streams.Echo streams (sync API) to bench-grpc-server on 127.0.0.1:PORT, opened and held as
// bench/hold_streams.hpp says.
#include <grpcpp/grpcpp.h>

#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "bench.grpc.pb.h"
#include "bench/hold_streams.hpp"

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
  auto open = [&] {
    auto s = std::make_unique<open_stream>();
    s->rw = stub->Echo(&s->ctx);
    micro_bench::Msg echo;
    if (!s->rw->Write(msg) || !s->rw->Read(&echo))
      return false;
    streams.push_back(std::move(s));
    return true;
  };
  int rc = bench::hold_streams("bench-grpc-open-streams", std::stoul(argv[2]), open);
  for (auto& s : streams)
    s->ctx.TryCancel();
  return rc;
}
