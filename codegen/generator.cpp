#include "codegen/generator.hpp"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/io/zero_copy_stream.h>
#include <google/protobuf/io/printer.h>

#include <memory>

#include "codegen/emit.hpp"
#include "codegen/model.hpp"

namespace micro::codegen {

namespace pb = google::protobuf;

namespace {

void write(pb::compiler::GeneratorContext& context, const std::string& name, const std::string& text) {
  std::unique_ptr<pb::io::ZeroCopyOutputStream> out{context.Open(name)};
  pb::io::Printer printer{out.get(), '$'};
  printer.PrintRaw(text);
}

}  // namespace

bool generator::Generate(const pb::FileDescriptor* file, const std::string& parameter,
                         pb::compiler::GeneratorContext* context, std::string* error) const {
  if (!parameter.empty()) {
    *error = file->name() + ": protoc-gen-micro takes no options (got \"" + parameter + "\")";
    return false;
  }
  file_model model;
  if (!build_model(*file, model, *error))
    return false;
  // Render everything before writing anything: a failure leaves no half-written output.
  auto header = header_text(model);
  auto source = source_text(model);
  auto actor = actor_header_text(model);
  write(*context, model.base + ".micro.h", header);
  write(*context, model.base + ".micro.cc", source);
  write(*context, model.base + ".micro.actor.h", actor);
  return true;
}

}  // namespace micro::codegen
