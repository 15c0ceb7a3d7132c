#include <algorithm>
#include <iostream>

#include "micro/cli/commands.hpp"
#include "registry/json.hpp"

namespace micro::cli {

namespace {

constexpr const char* usage = "usage: micro describe SERVICE [--output text|json]";

// "k=v,k2=v2", or "-" when empty.
std::string show(const registry::metadata& md) {
  if (md.empty())
    return "-";
  std::string out;
  for (auto& [k, v] : md)
    out += (out.empty() ? "" : ",") + k + "=" + v;
  return out;
}

std::string pad(const std::string& s, std::size_t width) {
  return s.size() >= width ? s : s + std::string(width - s.size(), ' ');
}

void print_text(std::ostream& out, const std::string& name, const std::vector<registry::service>& versions) {
  out << "service " << name << "\n";
  for (auto& svc : versions) {
    out << "\nversion " << (svc.version.empty() ? "-" : svc.version) << "\n";
    out << "  metadata  " << show(svc.meta) << "\n";
    out << "  nodes (" << svc.nodes.size() << ")\n";
    // id, host (where it runs: every service names its host in the node metadata), address, the
    // rest of the metadata.
    std::size_t id_w = 0, host_w = 0, addr_w = 0;
    auto host_of = [](const registry::node& n) {
      auto h = n.meta.find("host");
      return h == n.meta.end() ? std::string{"-"} : h->second;
    };
    for (auto& n : svc.nodes) {
      id_w = std::max(id_w, n.id.size());
      host_w = std::max(host_w, host_of(n).size());
      addr_w = std::max(addr_w, n.address.size());
    }
    for (auto& n : svc.nodes) {
      auto rest = n.meta;
      rest.erase("host");
      out << "    " << pad(n.id, id_w) << "  " << pad(host_of(n), host_w) << "  " << pad(n.address, addr_w) << "  "
          << show(rest) << "\n";
    }
    out << "  endpoints (" << svc.endpoints.size() << ")\n";
    std::size_t name_w = 0, types_w = 0;
    auto types = [](const registry::endpoint& e) {
      return (e.request.empty() ? "-" : e.request) + " -> " + (e.response.empty() ? "-" : e.response);
    };
    for (auto& e : svc.endpoints) {
      name_w = std::max(name_w, e.name.size());
      types_w = std::max(types_w, types(e).size());
    }
    for (auto& e : svc.endpoints) {
      out << "    " << pad(e.name, name_w) << "  ";
      if (e.meta.empty())
        out << types(e) << "\n";
      else
        out << pad(types(e), types_w) << "  " << show(e.meta) << "\n";
    }
  }
}

}  // namespace

int describe(micro::client& client, const std::vector<std::string>& args) {
  std::vector<std::string> positional;
  std::string output = "text";
  for (std::size_t i = 0; i < args.size(); ++i) {
    const auto& arg = args[i];
    if (arg == "--output") {
      if (i + 1 == args.size())
        return fail(errors::bad_request("micro.cli", arg + " needs a value: text or json"));
      output = args[++i];
    } else if (arg.rfind("--output=", 0) == 0) {
      output = arg.substr(9);
    } else if (arg.size() > 1 && arg[0] == '-') {
      return fail(errors::bad_request("micro.cli", "unknown flag \"" + arg + "\"; " + usage));
    } else {
      positional.push_back(arg);
    }
  }
  if (output != "text" && output != "json")
    return fail(errors::bad_request("micro.cli", "unknown output \"" + output + "\" (allowed: text, json)"));
  if (positional.size() != 1)
    return fail(errors::bad_request("micro.cli", usage));
  auto found = client.registry()->get_service(positional[0]);
  if (!found.ok())
    return fail(registry_error(found.st));
  auto versions = std::move(found.value);
  // Stable output whatever order the backend keeps: versions, then nodes, by name.
  std::sort(versions.begin(), versions.end(),
            [](const registry::service& a, const registry::service& b) { return a.version < b.version; });
  for (auto& svc : versions)
    std::sort(svc.nodes.begin(), svc.nodes.end(),
              [](const registry::node& a, const registry::node& b) { return a.id < b.id; });
  if (output == "json") {
    std::cout << nlohmann::json(versions).dump(2) << "\n";
    return 0;
  }
  print_text(std::cout, positional[0], versions);
  return 0;
}

}  // namespace micro::cli
