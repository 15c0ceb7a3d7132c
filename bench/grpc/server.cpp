// bench-grpc-server sync|callback: the gRPC peer of bench-echo-server. Serves Unary.Echo and the
// Streams echo and sink on 127.0.0.1 (insecure, as micro's loopback peers are), all in the one
// API chosen. Prints "listening PORT" and serves until SIGTERM/SIGINT.
#include <grpcpp/grpcpp.h>

#include <csignal>
#include <iostream>
#include <memory>
#include <string>

#include "bench/grpc/services.hpp"

int main(int argc, char** argv) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);  // before gRPC starts its threads: they inherit it

  std::string mode = argc > 1 ? argv[1] : "";
  if (mode != "sync" && mode != "callback") {
    std::cerr << "usage: bench-grpc-server sync|callback\n";
    return 2;
  }
  std::unique_ptr<grpc::Service> unary, streams;
  if (mode == "sync") {
    unary = bench::grpc_peer::sync_unary();
    streams = bench::grpc_peer::sync_streams();
  } else {
    unary = bench::grpc_peer::callback_unary();
    streams = bench::grpc_peer::callback_streams();
  }
  int port = 0;
  grpc::ServerBuilder builder;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(unary.get());
  builder.RegisterService(streams.get());
  auto server = builder.BuildAndStart();
  if (!server || port == 0) {
    std::cerr << "bench-grpc-server: could not listen on 127.0.0.1\n";
    return 1;
  }
  std::cout << "listening " << port << std::endl;
  int sig = 0;
  sigwait(&set, &sig);
  server->Shutdown();
  return 0;
}
