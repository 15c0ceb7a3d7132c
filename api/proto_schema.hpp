#pragma once
// JSON Schemas for MCP tools from protobuf descriptors: `protoc --descriptor_set_out=api.pb
// --include_imports *.proto`, then `micro mcp --descriptors api.pb`. The registry names each
// endpoint's request type ("greeter.Request"); where the set has that message, its fields become
// the tool's input schema in protobuf's JSON mapping (json_name, int64 as string, enums by name).

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "micro/result.hpp"

namespace google::protobuf {
class DescriptorPool;
}

namespace micro::api {

class proto_schemas {
 public:
  proto_schemas();
  ~proto_schemas();
  proto_schemas(proto_schemas&&) noexcept;
  proto_schemas& operator=(proto_schemas&&) noexcept;

  /// Reads a FileDescriptorSet (binary, as protoc writes it). 400 if it cannot be read or built.
  static result<proto_schemas> load(const std::string& path);
  /// The schema of message `full_name`; null when the set does not have it (or none was loaded).
  nlohmann::json schema_for(const std::string& full_name) const;

 private:
  std::unique_ptr<google::protobuf::DescriptorPool> pool_;
};

}  // namespace micro::api
