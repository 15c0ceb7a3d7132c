#include "codegen/emit.hpp"

namespace micro::codegen {

std::string in_namespace(const file_model& file, std::string services) {
  if (file.cpp_namespace.empty())
    return services.empty() ? services : services.substr(1);
  return "namespace " + file.cpp_namespace + " {\n" + services + (services.empty() ? "" : "\n") +
         "}  // namespace " + file.cpp_namespace + "\n";
}

vars rpc_vars(const service& svc, const rpc& r) {
  return {{"S", svc.name}, {"M", r.name}, {"E", r.endpoint}, {"Req", r.request}, {"Rsp", r.response}};
}

}  // namespace micro::codegen
