#pragma once
// GET /metrics: the process' metrics (metrics/registry.hpp) in Prometheus' text format, on a
// service's listener and on the gateway's.

#include "http/router.hpp"

namespace micro::http {

void add_metrics(router& r);

}  // namespace micro::http
