// codegen-shapes-server: service "shapes" serving acme.micro.v1's Shapes, Admin and Idle and
// top.proto's Top through
// the generated Register functions, for the two-process test (generated_test.cpp).
#include "micro/micro.hpp"
#include "shapes_impl.hpp"

int main(int argc, char** argv) {
  micro::service svc{micro::options{}.with_name("shapes")};
  svc.init(argc, argv);
  codegen_test::shapes_impl shapes;
  codegen_test::admin_impl admin;
  codegen_test::idle_impl idle;
  codegen_test::top_impl top;
  acme::micro::v1::RegisterShapesHandler(svc.server(), shapes, {{"Double", micro::endpoint_options{}.with_idempotent()}});
  acme::micro::v1::RegisterAdminHandler(svc.server(), admin);
  acme::micro::v1::RegisterIdleHandler(svc.server(), idle);
  RegisterTopHandler(svc.server(), top);
  return svc.run();
}
