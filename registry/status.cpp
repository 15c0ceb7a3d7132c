#include "registry/status.hpp"

namespace micro::registry {

const char* to_string(errc code) noexcept {
  switch (code) {
    case errc::ok: return "ok";
    case errc::not_found: return "not_found";
    case errc::invalid_argument: return "invalid_argument";
    case errc::unavailable: return "unavailable";
    case errc::watcher_stopped: return "watcher_stopped";
    case errc::too_large: return "too_large";
  }
  return "unknown";
}

status make_error(errc code, const std::string& registry_name, const std::string& what) {
  return status{code, "registry " + registry_name + ": " + what};
}

}  // namespace micro::registry
