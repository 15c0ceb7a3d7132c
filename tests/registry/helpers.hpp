// Small builders shared by the registry tests.
#pragma once

#include <string>
#include <vector>

#include "registry/model.hpp"

namespace micro::registry::test {

inline node make_node(const std::string& id, const std::string& address = "127.0.0.1:9000") {
  return node{id, address, {}};
}

inline service make_service(const std::string& name, const std::string& version,
                            std::vector<node> nodes) {
  return service{name, version, {}, {}, std::move(nodes)};
}

}  // namespace micro::registry::test
