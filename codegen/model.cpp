#include "codegen/model.hpp"

#include <google/protobuf/compiler/cpp/names.h>
#include <google/protobuf/compiler/code_generator.h>
#include <google/protobuf/descriptor.h>

#include <algorithm>
#include <set>

#include "codegen/names.hpp"

namespace micro::codegen {

namespace pb = google::protobuf;

namespace {

// The comment lines protoc kept for `desc` (leading, then trailing), without "//".
template <class Descriptor>
std::vector<std::string> comments_of(const Descriptor& desc) {
  pb::SourceLocation loc;
  std::vector<std::string> lines;
  if (!desc.GetSourceLocation(&loc))
    return lines;
  for (const std::string* text : {&loc.leading_comments, &loc.trailing_comments}) {
    std::size_t start = 0;
    while (start < text->size()) {
      auto end = text->find('\n', start);
      if (end == std::string::npos)
        end = text->size();
      auto line = text->substr(start, end - start);
      while (!line.empty() && (line.back() == ' ' || line.back() == '\t' || line.back() == '\r'))
        line.pop_back();
      lines.push_back(line);
      start = end + 1;
    }
  }
  return lines;
}

rpc_kind kind_of(const pb::MethodDescriptor& m) {
  if (m.client_streaming() && m.server_streaming())
    return rpc_kind::bidi_streaming;
  if (m.client_streaming())
    return rpc_kind::client_streaming;
  if (m.server_streaming())
    return rpc_kind::server_streaming;
  return rpc_kind::unary;
}

// What the package already calls `name` in C++ (a message, enum, enum value or extension of
// this file or one it imports), or "".
std::string taken_by(const pb::FileDescriptor& file, const std::string& name) {
  auto full = file.package().empty() ? name : file.package() + "." + name;
  const auto* pool = file.pool();
  if (pool->FindMessageTypeByName(full))
    return "message";
  if (pool->FindEnumTypeByName(full))
    return "enum";
  if (pool->FindEnumValueByName(full))
    return "enum value";
  if (pool->FindExtensionByName(full))
    return "extension";
  return {};
}

// The C++ names generated for service `s`, in the package's namespace.
std::vector<std::string> generated_names(const std::string& s) {
  return {s + "Client", s + "Handler", "Register" + s + "Handler", s + "AsyncClient", s + "Rpc",
          "Register" + s + "ActorHandler"};
}

// Members of the generated classes besides the rpcs: an rpc may not take these names.
const std::set<std::string>& member_names() {
  static const std::set<std::string> names = {"micro_client_", "micro_service_", "micro_self_"};
  return names;
}

}  // namespace

bool build_model(const pb::FileDescriptor& file, file_model& out, std::string& error) {
  out = file_model{};
  out.proto = file.name();
  out.base = pb::compiler::StripProto(file.name());
  out.package = file.package();
  out.cpp_namespace = package_to_namespace(file.package());
  std::size_t start = 0;
  while (!file.package().empty() && start <= file.package().size()) {
    auto end = file.package().find('.', start);
    if (end == std::string::npos)
      end = file.package().size();
    auto part = file.package().substr(start, end - start);
    if (is_reserved_cpp_name(part)) {
      error = file.name() + ": package " + file.package() + ": \"" + part +
              "\" is a C++ keyword or macro and cannot name a namespace; rename the package";
      return false;
    }
    start = end + 1;
  }
  std::set<std::string> used;    // generated names so far
  std::set<std::string> types;   // message types already listed
  for (int i = 0; i < file.service_count(); ++i) {
    const auto& sd = *file.service(i);
    service svc;
    svc.name = sd.name();
    svc.comments = comments_of(sd);
    auto where = file.name() + ": service " + sd.name();
    auto names = generated_names(sd.name());
    for (const auto& n : names) {
      if (auto kind = taken_by(file, n); !kind.empty()) {
        error = where + ": the generated C++ name " + n + " is already the " + kind + " " +
                (file.package().empty() ? n : file.package() + "." + n) + "; rename one of them";
        return false;
      }
      if (!used.insert(n).second) {
        error = where + ": the generated C++ name " + n + " is also generated for another service of this file; rename one of them";
        return false;
      }
    }
    for (int j = 0; j < sd.method_count(); ++j) {
      const auto& md = *sd.method(j);
      auto at = where + ", rpc " + md.name();
      if (is_reserved_cpp_name(md.name())) {
        error = at + ": \"" + md.name() + "\" is a C++ keyword or macro and cannot name a method; rename the rpc";
        return false;
      }
      if (member_names().count(md.name()) > 0 || std::find(names.begin(), names.end(), md.name()) != names.end()) {
        error = at + ": \"" + md.name() + "\" is a name the generated classes use themselves; rename the rpc";
        return false;
      }
      rpc r;
      r.name = md.name();
      r.endpoint = sd.name() + "." + md.name();
      r.request = pb::compiler::cpp::QualifiedClassName(md.input_type());
      r.response = pb::compiler::cpp::QualifiedClassName(md.output_type());
      r.kind = kind_of(md);
      r.comments = comments_of(md);
      for (const auto* t : {&r.request, &r.response})
        if (types.insert(*t).second)
          out.message_types.push_back(*t);
      svc.rpcs.push_back(std::move(r));
    }
    out.services.push_back(std::move(svc));
  }
  return true;
}

}  // namespace micro::codegen
