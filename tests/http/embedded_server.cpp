// micro-api-embedded-server: a service that serves the gateway on its own HTTP listener
// (MICRO_HTTP_ADDRESS), as README shows: gw.mount(svc.http_routes()). Endpoint Embedded.Hello
// {"name"} -> {"msg": "Hello <name>"}. Prints "listening HOST:PORT" once it serves.
#include <iostream>

#include <nlohmann/json.hpp>

#include "api/gateway.hpp"
#include "micro/micro.hpp"

int main(int argc, char** argv) {
  micro::service svc{micro::options{}.with_name("embedded")};
  svc.init(argc, argv);
  svc.server().handle("Embedded.Hello", [](const micro::context&, const nlohmann::json& req, nlohmann::json& rsp) {
    rsp = {{"msg", "Hello " + req.value("name", std::string{})}};
  });
  micro::api::gateway gw{svc.client()};
  gw.mount(svc.http_routes());
  if (auto st = svc.start(); !st) {
    std::cerr << st.error().to_json() << std::endl;
    return 1;
  }
  std::cout << "listening " << svc.address() << std::endl;
  return svc.run();
}
