#include "registry/watcher.hpp"

#include <tuple>

namespace micro::registry {

const char* to_string(event_type type) noexcept {
  switch (type) {
    case event_type::create: return "create";
    case event_type::update: return "update";
    case event_type::remove: return "delete";
  }
  return "unknown";
}

bool operator==(const event& a, const event& b) {
  return std::tie(a.type, a.svc, a.when, a.revision) == std::tie(b.type, b.svc, b.when, b.revision);
}
bool operator!=(const event& a, const event& b) { return !(a == b); }

watcher::~watcher() = default;

}  // namespace micro::registry
