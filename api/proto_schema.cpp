#include "api/proto_schema.hpp"

#include <fstream>
#include <sstream>

#include <google/protobuf/descriptor.h>
#include <google/protobuf/descriptor.pb.h>

#include "micro/error.hpp"

namespace micro::api {

namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using json = nlohmann::json;

json message_schema(const Descriptor* d, int depth);

// One value of `f` (an element, for a repeated field) in protobuf's JSON mapping.
json value_schema(const FieldDescriptor* f, int depth) {
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32:
    case FieldDescriptor::CPPTYPE_UINT32:
      return {{"type", "integer"}};
    case FieldDescriptor::CPPTYPE_INT64:
    case FieldDescriptor::CPPTYPE_UINT64:
      return {{"type", {"string", "integer"}}, {"description", "64-bit integer (a string in protobuf JSON)"}};
    case FieldDescriptor::CPPTYPE_DOUBLE:
    case FieldDescriptor::CPPTYPE_FLOAT:
      return {{"type", "number"}};
    case FieldDescriptor::CPPTYPE_BOOL:
      return {{"type", "boolean"}};
    case FieldDescriptor::CPPTYPE_ENUM: {
      json names = json::array();
      for (int i = 0; i < f->enum_type()->value_count(); ++i)
        names.push_back(f->enum_type()->value(i)->name());
      return {{"type", "string"}, {"enum", names}};
    }
    case FieldDescriptor::CPPTYPE_STRING:
      return f->type() == FieldDescriptor::TYPE_BYTES ? json{{"type", "string"}, {"contentEncoding", "base64"}}
                                                       : json{{"type", "string"}};
    case FieldDescriptor::CPPTYPE_MESSAGE:
      return message_schema(f->message_type(), depth + 1);
  }
  return json::object();
}

json message_schema(const Descriptor* d, int depth) {
  json s{{"type", "object"}};
  if (depth > 8)  // recursive messages: deep enough for an agent, finite for us
    return s;
  json props = json::object();
  for (int i = 0; i < d->field_count(); ++i) {
    const FieldDescriptor* f = d->field(i);
    json p;
    if (f->is_map())
      p = {{"type", "object"}, {"additionalProperties", value_schema(f->message_type()->map_value(), depth)}};
    else if (f->is_repeated())
      p = {{"type", "array"}, {"items", value_schema(f, depth)}};
    else
      p = value_schema(f, depth);
    props[f->json_name()] = std::move(p);
  }
  s["properties"] = std::move(props);
  return s;
}

}  // namespace

proto_schemas::proto_schemas() = default;
proto_schemas::~proto_schemas() = default;
proto_schemas::proto_schemas(proto_schemas&&) noexcept = default;
proto_schemas& proto_schemas::operator=(proto_schemas&&) noexcept = default;

result<proto_schemas> proto_schemas::load(const std::string& path) {
  std::ifstream in{path, std::ios::binary};
  if (!in)
    return errors::bad_request("micro.mcp", "cannot read descriptor set " + path);
  google::protobuf::FileDescriptorSet set;
  if (!set.ParseFromIstream(&in))
    return errors::bad_request("micro.mcp", path + " is not a FileDescriptorSet (protoc --descriptor_set_out)");
  proto_schemas out;
  out.pool_ = std::make_unique<google::protobuf::DescriptorPool>();
  for (const auto& file : set.file())
    if (out.pool_->BuildFile(file) == nullptr)
      return errors::bad_request("micro.mcp", "cannot build " + file.name() + " of " + path
                                                + " (were its imports included? protoc --include_imports)");
  return out;
}

json proto_schemas::schema_for(const std::string& full_name) const {
  if (!pool_)
    return nullptr;
  const Descriptor* d = pool_->FindMessageTypeByName(full_name);
  return d == nullptr ? json{} : message_schema(d, 0);
}

}  // namespace micro::api
