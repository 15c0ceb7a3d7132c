#include "http/health.hpp"

#include "http/errors.hpp"

namespace micro::http {

void add_health(router& r, std::function<bool()> ready) {
  r.add("/health", [](request&&, const responder& out) { out.reply(json_response(R"({"status":"ok"})")); });
  r.add("/ready", [ready = std::move(ready)](request&&, const responder& out) {
    if (ready())
      out.reply(json_response(R"({"status":"ready"})"));
    else
      out.reply(json_response(R"({"status":"not ready"})", 503));
  });
}

}  // namespace micro::http
