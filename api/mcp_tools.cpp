#include "api/mcp_tools.hpp"

#include <algorithm>

namespace micro::api {

nlohmann::json mcp_tool::to_json() const {
  return {{"name", name}, {"description", description}, {"inputSchema", input_schema}};
}

bool allowed(const std::vector<std::string>& allow, const std::string& service, const std::string& tool) {
  return allow.empty() || std::find(allow.begin(), allow.end(), service) != allow.end()
         || std::find(allow.begin(), allow.end(), tool) != allow.end();
}

std::map<std::string, mcp_tool> list_tools(registry::registry& reg, const std::vector<std::string>& allow,
                                           const proto_schemas* schemas, std::string& error) {
  std::map<std::string, mcp_tool> tools;
  auto services = reg.list_services();
  if (!services) {
    error = services.st.message;
    return tools;
  }
  std::vector<std::string> names;
  for (auto& s : services.value)
    if (std::find(names.begin(), names.end(), s.name) == names.end())
      names.push_back(s.name);
  for (auto& name : names) {
    auto versions = reg.get_service(name);
    if (!versions)
      continue;  // gone between the two reads
    for (auto& svc : versions.value)
      for (auto& e : svc.endpoints) {
        auto meta = [&e](const char* k) {
          auto it = e.meta.find(k);
          return it == e.meta.end() ? std::string{} : it->second;
        };
        if (e.name.rfind("Debug.", 0) == 0 || meta("stream") == "true" || meta("subscriber") == "true")
          continue;
        mcp_tool t;
        t.name = name + "." + e.name;
        if (!allowed(allow, name, t.name) || tools.count(t.name) != 0)
          continue;
        t.service = name;
        t.endpoint = e.name;
        t.description = "Calls " + e.name + " of the micro service " + name + " with the request as JSON";
        if (!e.request.empty())
          t.description += " (request " + e.request + ", response " + e.response + ")";
        if (auto d = meta("description"); !d.empty())
          t.description = d + ". " + t.description;
        t.input_schema = schemas != nullptr ? schemas->schema_for(e.request) : nlohmann::json{};
        if (t.input_schema.is_null())
          t.input_schema = {{"type", "object"}, {"additionalProperties", true}};
        tools.emplace(t.name, std::move(t));
      }
  }
  return tools;
}

}  // namespace micro::api
