#pragma once
// How a client chooses among the nodes of a service, and when it tries again.
//
// - A strategy picks one node per attempt: random (default), roundrobin, leastconn (fewest calls
//   outstanding from this process) or latency (weighted by an exponentially weighted latency and
//   the calls outstanding, as brpc's locality-aware balancer does).
// - Filters narrow the registry's nodes per call: by version, by node metadata (label), by
//   endpoint (nodes that declare it), or any predicate. They compose: a node must pass all.
// - Every outcome marks its node. A node that fails `failure_threshold` times in a row is skipped
//   (circuit open) for a back-off that doubles on each relapse, then gets one probe call
//   (half-open); a success closes the circuit. A node whose connection CAF reports down is
//   skipped at once, before the registry notices.
// - Retries go to a different node when there is one, after an exponential back-off with
//   jitter, never past the call's deadline. Retried by default only when it is safe: the request
//   never reached a handler (connection failed, node down before delivery, 503). A call to an
//   endpoint advertised `idempotent`, or made with call_options::with_idempotent(), is also
//   retried when its node died after delivery; a 408 only when the call opts in. 4xx and 500 answers from a handler are never retried by default.

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "micro/error.hpp"
#include "micro/result.hpp"
#include "registry/model.hpp"

namespace micro {

enum class strategy { random, roundrobin, leastconn, latency };

/// "random", "roundrobin", "leastconn", "latency".
const char* to_string(strategy s) noexcept;
/// 400 naming the known strategies for anything else.
result<strategy> parse_strategy(const std::string& name);

/// Keeps a node if it returns true.
using node_filter = std::function<bool(const registry::service&, const registry::node&)>;

/// A filter with a description, which is what an error names when no node passes.
struct named_filter {
  std::string description;  // "version 2.0", "label zone=eu", "endpoint Greeter.Hello"
  node_filter keep;
};

namespace filters {
named_filter version(std::string v);
named_filter label(std::string key, std::string value);
/// Nodes whose service version declares `name` among its endpoints.
named_filter endpoint(std::string name);
named_filter custom(std::string description, node_filter keep);
}  // namespace filters

/// How an attempt failed, as far as retrying is concerned.
enum class failure_kind {
  not_delivered,  // no connection, or the node was known down: no handler saw the request
  refused,        // the node answered 503 (draining, overloaded): the handler did not run
  node_lost,      // the node died or its connection dropped with the request in flight
  timeout,        // no answer in time (408): the handler may have run
  handler_error,  // the handler answered with an error (4xx, 500)
};

/// "not_delivered", "refused", ...
const char* to_string(failure_kind k) noexcept;

/// What a retry policy is told about a failed attempt.
struct retry_info {
  int attempt = 1;                 // the attempt that failed, 1-based
  micro::error error;              // what the caller gets if no retry follows
  failure_kind kind = failure_kind::not_delivered;
  bool idempotent = false;         // the endpoint is advertised idempotent, or the call says so
  bool retry_on_timeout = false;   // the call opted in to retrying 408
};

/// Decides whether to try again (go-micro's Retry option). Runs inside the client actor: keep
/// it quick and never block.
using retry_policy = std::function<bool(const retry_info&)>;

/// The default: not_delivered and refused always; node_lost for idempotent endpoints; timeout
/// when the call opted in; handler_error never.
bool default_retry_policy(const retry_info& info);

/// Endpoint metadata key/value that advertises an endpoint as safe to run twice.
inline constexpr const char* idempotent_key = "idempotent";

}  // namespace micro
