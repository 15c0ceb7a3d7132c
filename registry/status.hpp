// Errors as values: registry calls never throw for expected failures (unknown
// service, bad input, backend down); callers branch on a code and show the message.
#pragma once

#include <string>
#include <utility>

namespace micro::registry {

enum class errc {
  ok = 0,
  not_found,         // no such service (or version) in this registry
  invalid_argument,  // malformed service, node or backend address
  unavailable,       // backend cannot be reached or is shutting down
  watcher_stopped,   // the watcher was stopped (or overflowed, see watcher.hpp)
  too_large,         // an entry from the network past registry/limits.hpp (dropped)
};

// "ok", "not_found", ... for logs and tests.
const char* to_string(errc code) noexcept;

struct status {
  errc code = errc::ok;
  // Says which registry and what was asked, e.g.
  // `registry memory: service "greeter" not found`.
  std::string message;

  bool ok() const noexcept { return code == errc::ok; }
  explicit operator bool() const noexcept { return ok(); }
};

// A value or the reason there is none. `value` is default-constructed on error.
template <class T>
struct result {
  status st;
  T value{};

  bool ok() const noexcept { return st.ok(); }
  explicit operator bool() const noexcept { return ok(); }
};

// Builds a status whose message starts with "registry <registry_name>: ".
status make_error(errc code, const std::string& registry_name, const std::string& what);

}  // namespace micro::registry
