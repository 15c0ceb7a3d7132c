// greeter-server: the smallest useful micro service.
#include "greeter.pb.h"
#include "micro/micro.hpp"

int main(int argc, char** argv) {
  micro::service svc{micro::options{}.with_name("greeter")};
  svc.init(argc, argv);
  svc.server().handle("Greeter.Hello", [&svc](const micro::context&, const greeter::Request& req,
                                             greeter::Response& rsp) {
    rsp.set_msg("Hello " + req.name());
    (void)svc;
  });
  return svc.run();
}
