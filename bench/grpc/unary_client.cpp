// bench-grpc-client sync|callback PORT INFLIGHT PAYLOAD CALLS: the gRPC peer of
// bench-rpc-client, against bench-grpc-server on 127.0.0.1:PORT over one channel. sync keeps
// INFLIGHT blocking calls going from as many threads; callback keeps INFLIGHT calls going from
// their completion callbacks. Prints the same JSON line as bench-rpc-client.
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <iostream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "bench.grpc.pb.h"
#include "bench/stats.hpp"

namespace {

using steady = std::chrono::steady_clock;
using micro_bench::Msg;

int64_t since(steady::time_point t0) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(steady::now() - t0).count();
}

// The latencies of one run, written from any thread into a slot of their own.
struct recorder {
  explicit recorder(std::size_t calls) : latencies(calls) {}
  std::vector<int64_t> latencies;
  std::atomic<std::size_t> next{0};
  std::atomic<std::size_t> failed{0};
  void record(steady::time_point t0, bool ok) {
    latencies[next.fetch_add(1)] = since(t0);
    if (!ok)
      failed.fetch_add(1);
  }
};

void run_sync(micro_bench::Unary::Stub& stub, const Msg& req, std::size_t inflight, std::size_t calls,
              recorder& rec) {
  std::atomic<std::size_t> claimed{0};
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < inflight; ++t)
    threads.emplace_back([&] {
      while (claimed.fetch_add(1) < calls) {
        grpc::ClientContext ctx;
        Msg rsp;
        auto t0 = steady::now();
        auto status = stub.Echo(&ctx, req, &rsp);
        rec.record(t0, status.ok() && rsp.body().size() == req.body().size());
      }
    });
  for (auto& t : threads)
    t.join();
}

class callback_run {
 public:
  callback_run(micro_bench::Unary::Stub& stub, const Msg& req, std::size_t calls, recorder& rec)
      : stub_{stub}, req_{req}, calls_{calls}, rec_{rec} {}

  void run(std::size_t inflight) {
    for (std::size_t i = 0; i < inflight; ++i)
      launch();
    std::unique_lock<std::mutex> lock{mutex_};
    done_cv_.wait(lock, [&] { return finished_ == calls_; });
  }

 private:
  struct call {
    grpc::ClientContext ctx;
    Msg rsp;
    steady::time_point t0 = steady::now();
  };

  // Starts one more call, unless all `calls_` have been started.
  void launch() {
    if (claimed_.fetch_add(1) >= calls_)
      return;
    auto* c = new call;
    stub_.async()->Echo(&c->ctx, &req_, &c->rsp, [this, c](grpc::Status status) {
      rec_.record(c->t0, status.ok() && c->rsp.body().size() == req_.body().size());
      delete c;
      launch();
      std::lock_guard<std::mutex> lock{mutex_};
      if (++finished_ == calls_)
        done_cv_.notify_one();
    });
  }

  micro_bench::Unary::Stub& stub_;
  const Msg& req_;
  std::size_t calls_;
  recorder& rec_;
  std::atomic<std::size_t> claimed_{0};
  std::mutex mutex_;
  std::condition_variable done_cv_;
  std::size_t finished_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
  std::string mode = argc == 6 ? argv[1] : "";
  if (mode != "sync" && mode != "callback") {
    std::cerr << "usage: bench-grpc-client sync|callback PORT INFLIGHT PAYLOAD_BYTES CALLS\n";
    return 2;
  }
  bench::unary_run spec{mode, std::stoul(argv[3]), std::stoul(argv[4]), std::stoul(argv[5]), 0};
  auto channel = grpc::CreateChannel(std::string{"127.0.0.1:"} + argv[2], grpc::InsecureChannelCredentials());
  auto stub = micro_bench::Unary::NewStub(channel);
  Msg req;
  req.set_body(std::string(spec.payload, 'x'));
  auto run = [&](std::size_t calls, recorder& rec) {
    if (mode == "sync")
      run_sync(*stub, req, spec.inflight, calls, rec);
    else
      callback_run{*stub, req, calls, rec}.run(spec.inflight);
  };
  // Warm-up: connection set-up, thread start, allocator.
  recorder warm{std::max(spec.calls / 10, spec.inflight)};
  run(warm.latencies.size(), warm);

  recorder rec{spec.calls};
  auto t0 = steady::now();
  run(spec.calls, rec);
  double elapsed = std::chrono::duration<double>(steady::now() - t0).count();
  spec.failed = rec.failed.load() + warm.failed.load();
  bench::print_json(std::cout, spec, bench::summarize(std::move(rec.latencies), elapsed));
  return spec.failed == 0 ? 0 : 1;
}
