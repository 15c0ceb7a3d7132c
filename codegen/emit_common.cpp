#include "codegen/emit.hpp"

namespace micro::codegen {

std::string open_namespace(const file_model& file) {
  return file.cpp_namespace.empty() ? "" : "namespace " + file.cpp_namespace + " {\n";
}

std::string close_namespace(const file_model& file) {
  return file.cpp_namespace.empty() ? "" : "}  // namespace " + file.cpp_namespace + "\n";
}

vars rpc_vars(const service& svc, const rpc& r) {
  return {{"S", svc.name}, {"M", r.name}, {"E", r.endpoint}, {"Req", r.request}, {"Rsp", r.response}};
}

}  // namespace micro::codegen
