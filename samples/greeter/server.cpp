// greeter-server: the smallest useful micro service.
#include "greeter.pb.h"
#include "micro/micro.hpp"

int main(int argc, char** argv) {
  micro::service svc{micro::options{}.with_name("greeter")};
  svc.init(argc, argv);
  // Idempotent: greeting twice is harmless, so a client may retry it on another node even when
  // the first node died after receiving the call.
  svc.server().handle(
      "Greeter.Hello",
      [&svc](const micro::context&, const greeter::Request& req, greeter::Response& rsp) {
        rsp.set_msg("Hello " + req.name());
        (void)svc;
      },
      micro::endpoint_options{}.with_idempotent());
  return svc.run();
}
