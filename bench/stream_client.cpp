// bench-stream-client echo|sink PORT PAYLOAD MESSAGES: micro's side of the stream bench, against
// bench-echo-server micro on 127.0.0.1:PORT (Bench.StreamEcho / Bench.StreamSink, bytes as
// application/octet-stream). One stream sends MESSAGES messages as fast as credit lets it; echo
// reads every echo back while sending, sink reads only the server's count at the end. Prints the
// same JSON line as bench-grpc-stream (messages_per_s over the whole stream, open to final status).
#include <algorithm>
#include <chrono>
#include <iostream>
#include <string>
#include <thread>

#include "bench/bench_config.hpp"
#include "bench/stats.hpp"
#include "micro/micro.hpp"

namespace {

using bytes_stream = micro::client_stream<std::string, std::string>;

// Sends on a thread of its own while this one receives (a stream allows one of each).
std::size_t run(micro::client& client, const micro::stream_options& opts, bool echo, const std::string& payload,
                std::size_t n) {
  auto s = client.stream<std::string, std::string>("bench", echo ? "Bench.StreamEcho" : "Bench.StreamSink", opts);
  if (!s) {
    std::cerr << "bench-stream-client: " << s.error().to_json() << "\n";
    return 0;
  }
  std::thread sender{[&] {
    for (std::size_t i = 0; i < n; ++i)
      if (!s->send(payload))
        break;
    s->close_send();
  }};
  std::size_t received = 0;
  std::string msg;
  while (s->recv(msg))
    received += echo ? 1 : std::stoul(msg);
  sender.join();
  return s->finish() ? received : 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string kind = argc == 5 || argc == 6 ? argv[1] : "";
  std::string transport = argc == 6 ? argv[5] : "caf";
  if ((kind != "echo" && kind != "sink") || (transport != "caf" && transport != "tcp")) {
    std::cerr << "usage: bench-stream-client echo|sink PORT PAYLOAD_BYTES MESSAGES [caf|tcp]\n"
                 "  tcp: PORT is the server's tcp transport port (bench-echo-server with MICRO_TRANSPORT=tcp)\n";
    return 2;
  }
  bench::stream_run spec{"micro", kind, std::stoul(argv[3]), std::stoul(argv[4]), 0};
  auto copts = bench::options_from_environment();
  std::string address = std::string{"127.0.0.1:"} + argv[2];
  copts.registry = "memory";
  auto opts = micro::stream_options{}.with_content_type("application/octet-stream");
  if (transport == "tcp")  // found with its metadata, as a registry would give it: the stream rides tcp
    copts.with_registry("static", "bench=" + address + ";transport=tcp;transport_address=" + argv[2]);
  else
    opts.with_address(address);
  micro::client client{copts};
  std::string payload(spec.payload, 'x');
  run(client, opts, kind == "echo", payload, std::max<std::size_t>(spec.messages / 10, 1));  // warm-up
  auto t0 = std::chrono::steady_clock::now();
  spec.received = run(client, opts, kind == "echo", payload, spec.messages);
  double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  bench::print_json(std::cout, spec, elapsed);
  return spec.received == spec.messages ? 0 : 1;
}
