#include "http/metrics.hpp"

#include "metrics/registry.hpp"

namespace micro::http {

void add_metrics(router& r) {
  r.add("/metrics", [](request&&, const responder& out) {
    response rsp;
    rsp.content_type = "text/plain; version=0.0.4; charset=utf-8";
    rsp.body = metrics::registry::global().expose();
    out.reply(std::move(rsp));
  });
}

}  // namespace micro::http
