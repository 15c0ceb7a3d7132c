// greeter-client: calls Greeter.Hello and prints the answer and which node gave it.
#include <iostream>

#include "greeter.pb.h"
#include "micro/micro.hpp"

int main(int argc, char** argv) {
  micro::options opts;
  std::vector<std::string> args;
  if (auto st = micro::apply_environment(opts); !st) {
    std::cerr << st.error().to_json() << "\n";
    return 2;
  }
  if (auto flags = micro::apply_flags(opts, argc, argv, &args); !flags) {
    std::cerr << flags.error().to_json() << "\n";
    return 2;
  }
  micro::client client{opts};
  greeter::Request req;
  req.set_name(args.empty() ? "John" : args[0]);
  auto rsp = client.call<greeter::Response>("greeter", "Greeter.Hello", req);
  if (!rsp) {
    std::cerr << rsp.error().to_json() << "\n";
    return 1;
  }
  std::cout << rsp->msg() << "\n";
  return 0;
}
