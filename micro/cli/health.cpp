#include <iostream>

#include <nlohmann/json.hpp>

#include "micro/cli/commands.hpp"

namespace micro::cli {

int health(micro::client& client, const std::vector<std::string>& args) {
  if (args.size() != 1)
    return fail(errors::bad_request("micro.cli", "usage: micro health SERVICE"));
  auto found = client.registry()->get_service(args[0]);
  if (!found.ok())
    return fail(errors::not_found("micro.cli", found.st.message));
  int unhealthy = 0;
  for (auto& svc : found.value) {
    for (auto& node : svc.nodes) {
      raw_message req{"application/json", "{}", "application/json", {}};
      auto rsp = client.call_raw(context{}, svc.name, "Debug.Health", req, call_options{}.with_address(node.address));
      std::cout << node.id << " " << node.address << " ";
      if (rsp) {
        std::cout << rsp->body << "\n";
        // {"status":"ok"|"degraded",...}: degraded (the node's registry unreachable) counts as
        // unhealthy, since peers may soon stop finding the node.
        auto body = nlohmann::json::parse(rsp->body, nullptr, false);
        if (!body.is_object() || body.value("status", std::string{}) != "ok")
          ++unhealthy;
      } else {
        std::cout << rsp.error().to_json() << "\n";
        ++unhealthy;
      }
    }
  }
  return unhealthy == 0 ? 0 : 1;
}

}  // namespace micro::cli
