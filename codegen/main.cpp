// protoc-gen-micro: protoc runs it for --micro_out=DIR (found on PATH, or named with
// --plugin=protoc-gen-micro=PATH) and it writes typed micro clients and handlers (generator.hpp).
#include <google/protobuf/compiler/plugin.h>

#include "codegen/generator.hpp"

int main(int argc, char** argv) {
  micro::codegen::generator gen;
  return google::protobuf::compiler::PluginMain(argc, argv, &gen);
}
