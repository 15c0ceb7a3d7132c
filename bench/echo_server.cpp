// bench-echo-server MODE: serves an echo of the request bytes, either as a micro endpoint
// (Bench.Echo, application/octet-stream) or as a raw CAF actor (std::string -> std::string)
// published on its own port. In micro mode also the stream endpoints Bench.StreamEcho (every
// message echoed) and Bench.StreamSink (messages counted; the count, in decimal, is the one
// message back once the client half-closes), with a thread per stream, or without one when
// BENCH_STREAMS=async (handle_stream_async). Prints "listening PORT" and serves until SIGTERM/SIGINT.
#include <csignal>
#include <cstdlib>
#include <memory>
#include <iostream>
#include <string>

#include "bench/bench_config.hpp"
#include "caf/all.hpp"
#include "caf/io/all.hpp"
#include "micro/micro.hpp"

namespace {

sigset_t stop_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  return set;
}

void wait_for_stop_signal() {
  auto set = stop_signals();
  int sig = 0;
  sigwait(&set, &sig);
}

void serve_blocking_streams(micro::server& srv);
void serve_async_streams(micro::server& srv);

int serve_micro(micro::options opts) {
  opts.name = "bench";
  opts.server_address = "127.0.0.1:0";
  opts.registry = "memory";
  micro::service svc{opts};
  auto echo = [](const micro::context&, const std::string& req, std::string& rsp) { rsp = req; };
  svc.server().handle("Bench.Echo", echo);
  // The same handler declared non-blocking: run on the service actor, no thread hand-off.
  svc.server().handle("Bench.EchoInline", echo, micro::endpoint_options{}.with_inline());
  const char* streams = std::getenv("BENCH_STREAMS");
  if (streams != nullptr && std::string{streams} == "async")
    serve_async_streams(svc.server());
  else
    serve_blocking_streams(svc.server());
  if (auto st = svc.start(); !st) {
    std::cerr << st.error().to_json() << "\n";
    return 1;
  }
  // With MICRO_TRANSPORT=tcp the port that matters to bench-rpc-client micro-tcp is the
  // transport's (calls go there; CAF's port still serves streams).
  auto meta = svc.node_metadata();
  auto port = opts.transport == "tcp" ? meta["transport_address"] : svc.address().substr(svc.address().rfind(':') + 1);
  std::cout << "listening " << port << std::endl;
  wait_for_stop_signal();
  return 0;
}

// A thread per stream (handle_stream).
void serve_blocking_streams(micro::server& srv) {
  using bytes_stream = micro::server_stream<std::string, std::string>;
  srv.handle_stream("Bench.StreamEcho", [](const micro::context&, bytes_stream& s) {
    std::string msg;
    while (s.recv(msg))
      if (!s.send(msg))
        break;
  });
  srv.handle_stream("Bench.StreamSink", [](const micro::context&, bytes_stream& s) {
    std::string msg;
    uint64_t count = 0;
    while (s.recv(msg))
      ++count;
    s.send(std::to_string(count));
  });
}

// No thread per stream (handle_stream_async, BENCH_STREAMS=async): the same two endpoints.
void serve_async_streams(micro::server& srv) {
  using bytes_stream = micro::async_server_stream<std::string, std::string>;
  srv.handle_stream_async("Bench.StreamEcho", [](const micro::context&, bytes_stream s) {
    auto waiting = std::make_shared<std::string>();  // at most one: reading pauses while it waits
    s.on_message([s, waiting](const std::string& msg) mutable {
      if (!s.try_send(msg)) {
        *waiting = msg;
        s.pause_reading();
      }
    });
    s.on_writable([s, waiting]() mutable {
      if (s.try_send(*waiting))
        s.resume_reading();
    });
    s.on_half_close([s]() mutable { s.finish(); });
  });
  srv.handle_stream_async("Bench.StreamSink", [](const micro::context&, bytes_stream s) {
    auto count = std::make_shared<uint64_t>(0);
    s.on_message([count](const std::string&) { ++*count; });
    s.on_half_close([s, count]() mutable {
      s.try_send(std::to_string(*count));
      s.finish();
    });
  });
}

caf::behavior echo_actor() {
  return {[](std::string& body) { return std::move(body); }};
}

int serve_caf(const micro::options& opts) {
  auto rt = micro::detail::acquire_runtime(opts);
  auto& sys = rt->system();
  auto echo = sys.spawn(echo_actor);
  auto port = sys.middleman().publish(echo, 0, "127.0.0.1", true);
  if (!port) {
    std::cerr << sys.render(port.error()) << "\n";
    return 1;
  }
  std::cout << "listening " << *port << std::endl;
  wait_for_stop_signal();
  caf::anon_send_exit(echo, caf::exit_reason::user_shutdown);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  // Signals are taken by sigwait; block them before any thread starts so all threads inherit it.
  auto set = stop_signals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::string mode = argc > 1 ? argv[1] : "";
  auto opts = bench::options_from_environment();
  if (mode == "micro")
    return serve_micro(opts);
  if (mode == "caf")
    return serve_caf(opts);
  std::cerr << "usage: bench-echo-server micro|caf\n";
  return 2;
}
