// bench-http-floor: micro's HTTP listener (http/, Boost.Beast) answering every request with the
// JSON the greeter would, with no call behind it: the floor under `micro api`'s figures.
//   bench-http-floor [HOST:PORT]   prints "listening HOST:PORT", runs until killed
#include <csignal>
#include <iostream>
#include <thread>

#include "http/errors.hpp"
#include "http/server.hpp"

int main(int argc, char** argv) {
  micro::http::server_options opts;
  opts.address = argc > 1 ? argv[1] : "127.0.0.1:0";
  auto [srv, err] = micro::http::server::start(opts, [](micro::http::request&&, const micro::http::responder& out) {
    out.reply(micro::http::json_response(R"({"msg":"Hello John"})"));
  });
  if (!srv) {
    std::cerr << err.message << "\n";
    return 1;
  }
  std::cout << "listening " << srv->address() << std::endl;
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  int sig = 0;
  sigwait(&set, &sig);
  return 0;
}
