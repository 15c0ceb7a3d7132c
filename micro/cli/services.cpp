#include <algorithm>
#include <array>
#include <iostream>
#include <set>
#include <vector>

#include "micro/cli/commands.hpp"

namespace micro::cli {

error registry_error(const registry::status& st) {
  switch (st.code) {
    case registry::errc::not_found:
      return errors::not_found("micro.cli", st.message);
    case registry::errc::invalid_argument:
      return errors::bad_request("micro.cli", st.message);
    default:
      return errors::service_unavailable("micro.cli", st.message);
  }
}

namespace {

constexpr const char* services_usage = "usage: micro services [--nodes]";

std::string pad(const std::string& s, std::size_t width) {
  return s.size() >= width ? s : s + std::string(width - s.size(), ' ');
}

// One row per node of every service: where each runs (the "host" every service puts in its
// node metadata) and the address peers reach it at.
int print_nodes(micro::client& client, const std::set<std::string>& names) {
  std::vector<std::array<std::string, 5>> rows{{"SERVICE", "VERSION", "NODE", "HOST", "ADDRESS"}};
  for (auto& name : names) {
    auto found = client.registry()->get_service(name);
    if (!found.ok()) {
      if (found.st.code == registry::errc::not_found)
        continue;  // gone between the listing and now
      return fail(registry_error(found.st));
    }
    std::vector<std::array<std::string, 5>> of_name;
    for (auto& svc : found.value)
      for (auto& n : svc.nodes) {
        auto host = n.meta.find("host");
        of_name.push_back({name, svc.version.empty() ? "-" : svc.version, n.id.empty() ? "-" : n.id,
                           host == n.meta.end() ? "-" : host->second, n.address});
      }
    std::sort(of_name.begin(), of_name.end());
    rows.insert(rows.end(), of_name.begin(), of_name.end());
  }
  std::array<std::size_t, 5> width{};
  for (auto& r : rows)
    for (std::size_t i = 0; i < r.size(); ++i)
      width[i] = std::max(width[i], r[i].size());
  for (auto& r : rows) {
    std::string line;
    for (std::size_t i = 0; i < r.size(); ++i)
      line += i + 1 == r.size() ? r[i] : pad(r[i], width[i]) + "  ";
    std::cout << line << "\n";
  }
  return 0;
}

}  // namespace

int services(micro::client& client, const std::vector<std::string>& args) {
  bool nodes = false;
  for (auto& arg : args) {
    if (arg == "--nodes")
      nodes = true;
    else
      return fail(errors::bad_request("micro.cli", std::string{services_usage} + " (got \"" + arg + "\")"));
  }
  auto listed = client.registry()->list_services();
  if (!listed.ok())
    return fail(registry_error(listed.st));
  std::set<std::string> names;  // one line per name, however many versions it has
  for (auto& svc : listed.value)
    names.insert(svc.name);
  if (nodes)
    return print_nodes(client, names);
  for (auto& name : names)
    std::cout << name << "\n";
  return 0;
}

}  // namespace micro::cli
