#pragma once
// The MCP tools a registry offers: one per unary endpoint of every service, after the allow-list.

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/proto_schema.hpp"
#include "registry/registry.hpp"

namespace micro::api {

struct mcp_tool {
  std::string name;      // "greeter.Greeter.Hello"
  std::string service;   // "greeter"
  std::string endpoint;  // "Greeter.Hello"
  std::string description;
  nlohmann::json input_schema;
  nlohmann::json to_json() const;  // as tools/list shows it
  bool operator==(const mcp_tool& o) const {
    return name == o.name && description == o.description && input_schema == o.input_schema;
  }
};

/// True when `allow` is empty or names the service or the tool.
bool allowed(const std::vector<std::string>& allow, const std::string& service, const std::string& tool);

/// Every tool `reg` offers now, by name. Streams, subscribers and the built-in Debug.* endpoints
/// are not tools. A registry that cannot list: the error's message in `error`.
/// `schemas` (may be null) gives input schemas by request type; otherwise a generic object.
std::map<std::string, mcp_tool> list_tools(registry::registry& reg, const std::vector<std::string>& allow,
                                           const proto_schemas* schemas, std::string& error);

}  // namespace micro::api
