// greeter-server: the smallest useful micro service, from greeter.proto's generated handler.
#include "greeter.micro.h"
#include "micro/micro.hpp"

namespace {

struct greeter_impl final : greeter::GreeterHandler {
  void Hello(const micro::context&, const greeter::Request& req, greeter::Response& rsp) override {
    rsp.set_msg("Hello " + req.name());
  }
};

}  // namespace

int main(int argc, char** argv) {
  micro::service svc{micro::options{}.with_name("greeter")};
  svc.init(argc, argv);
  greeter_impl impl;
  // Idempotent: greeting twice is harmless, so a client may retry it on another node even when
  // the first node died after receiving the call.
  greeter::RegisterGreeterHandler(svc.server(), impl, {{"Hello", micro::endpoint_options{}.with_idempotent()}});
  return svc.run();
}
