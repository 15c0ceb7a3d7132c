// greeter-client: calls Greeter.Hello through the generated GreeterClient and prints the answer.
#include <iostream>

#include "greeter.micro.h"
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
  greeter::GreeterClient greeter{client, "greeter"};
  greeter::Request req;
  req.set_name(args.empty() ? "John" : args[0]);
  auto rsp = greeter.Hello(req);
  if (!rsp) {
    std::cerr << rsp.error().to_json() << "\n";
    return 1;
  }
  std::cout << rsp->msg() << "\n";
  return 0;
}
