// bench-grpc-stream sync|callback echo|sink PORT PAYLOAD MESSAGES: the gRPC peer of micro's
// stream bench. One bidirectional stream to bench-grpc-server on 127.0.0.1:PORT sends MESSAGES
// messages as fast as flow control lets it; echo reads every echo back while sending, sink reads
// only the server's count at the end. Prints one JSON line (messages_per_s over the whole stream,
// open to final status).
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <iostream>
#include <mutex>
#include <string>
#include <thread>

#include "bench.grpc.pb.h"
#include "bench/stats.hpp"

namespace {

using micro_bench::Count;
using micro_bench::Msg;

// What a response says about how many messages arrived: an echo is one, a count says so.
std::size_t tally(const Msg&) { return 1; }
std::size_t tally(const Count& c) { return static_cast<std::size_t>(c.messages()); }

// Sync API: a thread writes while this one reads (a ClientReaderWriter allows one of each).
template <class Rsp>
std::size_t run_sync(std::unique_ptr<grpc::ClientReaderWriter<Msg, Rsp>> stream, const Msg& msg, std::size_t n) {
  std::thread writer{[&] {
    for (std::size_t i = 0; i < n; ++i)
      if (!stream->Write(msg))
        break;
    stream->WritesDone();
  }};
  std::size_t received = 0;
  Rsp rsp;
  while (stream->Read(&rsp))
    received += tally(rsp);
  writer.join();
  return stream->Finish().ok() ? received : 0;
}

// Callback API: the next write starts from the previous one's completion, the next read from
// the previous read's; one of each may be outstanding.
template <class Rsp>
class bidi final : public grpc::ClientBidiReactor<Msg, Rsp> {
 public:
  bidi(const Msg& msg, std::size_t n) : msg_{msg}, n_{n} {}

  grpc::ClientContext& context() { return ctx_; }

  std::size_t run() {
    this->StartRead(&rsp_);
    if (n_ == 0)
      this->StartWritesDone();
    else
      this->StartWrite(&msg_);
    this->StartCall();
    std::unique_lock<std::mutex> lock{mutex_};
    cv_.wait(lock, [&] { return done_; });
    return ok_ ? received_ : 0;
  }

 private:
  void OnWriteDone(bool ok) override {
    if (ok && ++sent_ < n_)
      this->StartWrite(&msg_);
    else
      this->StartWritesDone();
  }
  void OnReadDone(bool ok) override {
    if (!ok)
      return;
    received_ += tally(rsp_);
    this->StartRead(&rsp_);
  }
  void OnDone(const grpc::Status& status) override {
    std::lock_guard<std::mutex> lock{mutex_};
    ok_ = status.ok();
    done_ = true;
    cv_.notify_one();
  }

  grpc::ClientContext ctx_;
  const Msg& msg_;
  std::size_t n_, sent_ = 0, received_ = 0;
  Rsp rsp_;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool done_ = false, ok_ = false;
};

std::size_t run(micro_bench::Streams::Stub& stub, const std::string& mode, bool echo, const Msg& msg, std::size_t n) {
  if (mode == "sync") {
    grpc::ClientContext ctx;
    return echo ? run_sync(stub.Echo(&ctx), msg, n) : run_sync(stub.Sink(&ctx), msg, n);
  }
  if (echo) {
    bidi<Msg> b{msg, n};
    stub.async()->Echo(&b.context(), &b);
    return b.run();
  }
  bidi<Count> b{msg, n};
  stub.async()->Sink(&b.context(), &b);
  return b.run();
}

}  // namespace

int main(int argc, char** argv) {
  std::string mode = argc == 6 ? argv[1] : "", kind = argc == 6 ? argv[2] : "";
  if ((mode != "sync" && mode != "callback") || (kind != "echo" && kind != "sink")) {
    std::cerr << "usage: bench-grpc-stream sync|callback echo|sink PORT PAYLOAD_BYTES MESSAGES\n";
    return 2;
  }
  bench::stream_run spec{mode, kind, std::stoul(argv[4]), std::stoul(argv[5]), 0};
  auto channel = grpc::CreateChannel(std::string{"127.0.0.1:"} + argv[3], grpc::InsecureChannelCredentials());
  auto stub = micro_bench::Streams::NewStub(channel);
  Msg msg;
  msg.set_body(std::string(spec.payload, 'x'));
  run(*stub, mode, kind == "echo", msg, std::max<std::size_t>(spec.messages / 10, 1));  // warm-up
  auto t0 = std::chrono::steady_clock::now();
  spec.received = run(*stub, mode, kind == "echo", msg, spec.messages);
  double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  bench::print_json(std::cout, spec, elapsed);
  return spec.received == spec.messages ? 0 : 1;
}
