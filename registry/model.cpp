#include "registry/model.hpp"

#include <tuple>

namespace micro::registry {

bool operator==(const endpoint& a, const endpoint& b) {
  return std::tie(a.name, a.request, a.response, a.meta) ==
         std::tie(b.name, b.request, b.response, b.meta);
}
bool operator!=(const endpoint& a, const endpoint& b) { return !(a == b); }

bool operator==(const node& a, const node& b) {
  return std::tie(a.id, a.address, a.meta) == std::tie(b.id, b.address, b.meta);
}
bool operator!=(const node& a, const node& b) { return !(a == b); }

bool operator==(const service& a, const service& b) {
  return std::tie(a.name, a.version, a.meta, a.endpoints, a.nodes) ==
         std::tie(b.name, b.version, b.meta, b.endpoints, b.nodes);
}
bool operator!=(const service& a, const service& b) { return !(a == b); }

}  // namespace micro::registry
