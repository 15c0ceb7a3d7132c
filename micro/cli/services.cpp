#include <iostream>
#include <set>

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

int services(micro::client& client, const std::vector<std::string>& args) {
  if (!args.empty())
    return fail(errors::bad_request("micro.cli", "usage: micro services (no arguments; got \"" + args.front() + "\")"));
  auto listed = client.registry()->list_services();
  if (!listed.ok())
    return fail(registry_error(listed.st));
  std::set<std::string> names;  // one line per name, however many versions it has
  for (auto& svc : listed.value)
    names.insert(svc.name);
  for (auto& name : names)
    std::cout << name << "\n";
  return 0;
}

}  // namespace micro::cli
