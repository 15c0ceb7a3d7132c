#pragma once
// Routes requests by path to handlers, so one listener can carry health probes, the gateway and
// later pages. An exact path wins over a prefix; the longest prefix wins among prefixes.

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "http/server.hpp"

namespace micro::http {

class router {
 public:
  /// `path` exactly (any method).
  router& add(std::string path, handler h);
  /// Every path that starts with `prefix` (any method).
  router& add_prefix(std::string prefix, handler h);
  /// A handler for the server: routes, or 404 in go-micro's error JSON. The router is copied.
  handler as_handler() const;
  /// Routes one request (404 if no route).
  void dispatch(request&& req, const responder& out) const;

 private:
  std::vector<std::pair<std::string, handler>> exact_;
  std::vector<std::pair<std::string, handler>> prefixes_;
};

}  // namespace micro::http
