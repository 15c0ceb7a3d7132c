#pragma once
// protoc-gen-micro's CodeGenerator: for every .proto on the command line, <base>.micro.h,
// <base>.micro.cc and <base>.micro.actor.h (also when it has no services, so that build systems
// can name the outputs in advance).

#include <google/protobuf/compiler/code_generator.h>

#include <string>

namespace micro::codegen {

class generator final : public google::protobuf::compiler::CodeGenerator {
 public:
  bool Generate(const google::protobuf::FileDescriptor* file, const std::string& parameter,
                google::protobuf::compiler::GeneratorContext* context, std::string* error) const override;

  uint64_t GetSupportedFeatures() const override { return FEATURE_PROTO3_OPTIONAL; }
};

}  // namespace micro::codegen
