#pragma once
// Kubernetes-style probes: GET /health answers 200 while the process serves HTTP at all
// (liveness); GET /ready answers 200 only while `ready()` is true (registered and serving),
// else 503 (readiness), so a load balancer stops sending traffic before a node drains.

#include <functional>

#include "http/router.hpp"

namespace micro::http {

/// Adds /health and /ready to `r`. `ready` is called on an I/O thread: it must be quick.
void add_health(router& r, std::function<bool()> ready);

}  // namespace micro::http
