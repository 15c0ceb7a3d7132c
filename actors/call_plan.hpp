#pragma once
// How the client actor (or the direct path, actors/direct_calls.hpp) carries out one call: which nodes may serve it, how one is chosen, and
// when a failed attempt is tried again. Built by the facade (micro/client.cpp) from the call's
// options; a local message type only (never crosses nodes).

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "actors/selector.hpp"
#include "actors/wire.hpp"
#include "caf/allowed_unsafe_message_type.hpp"

namespace micro::actors {

/// How an attempt failed (mirrors micro::failure_kind, which the facade maps to).
enum class attempt_failure : std::uint8_t { not_delivered, refused, node_lost, timeout, handler_error };

struct failed_attempt {
  int attempt = 1;                // 1-based
  const response* error = nullptr;  // the error response the caller would get
  attempt_failure kind = attempt_failure::not_delivered;
};

/// Where a node takes calls when not over CAF: a byte transport ("tcp", or one this client may
/// not speak) and the address there. From the node's registry metadata.
struct node_route {
  std::string transport;
  std::string address;
};

/// Node metadata of a node that takes unary calls over a byte transport: its name, and where
/// (tcp: the port, on the node's host; memory: the listener's name).
inline constexpr const char* transport_metadata_key = "transport";
inline constexpr const char* transport_address_metadata_key = "transport_address";
/// Node metadata of a node that serves over TLS (every transport it listens on): "true".
inline constexpr const char* tls_metadata_key = "tls";

/// The route to a node from its address and metadata; false when it takes calls over CAF.
inline bool route_of(const std::string& node_address, const std::map<std::string, std::string>& metadata,
                     node_route& out) {
  auto t = metadata.find(transport_metadata_key);
  if (t == metadata.end() || t->second == "caf")
    return false;
  auto a = metadata.find(transport_address_metadata_key);
  std::string where = a == metadata.end() ? std::string{} : a->second;
  out.transport = t->second;
  out.address = t->second == "tcp" ? node_address.substr(0, node_address.rfind(':') + 1) + where : where;
  return true;
}

struct call_plan {
  std::vector<std::string> candidates;  // node addresses
  actors::strategy strategy = actors::strategy::random;
  std::size_t retries = 1;              // attempts after a failed one (not_delivered is free)
  std::chrono::nanoseconds backoff{std::chrono::milliseconds{10}};  // doubles per retry, jittered
  std::chrono::nanoseconds attempt_timeout{0};  // per attempt; 0: all the time left
  /// Whether to try again; runs inside the client actor or on a transport's I/O thread (the
  /// direct path), so it must be quick and must not block.
  std::function<bool(const failed_attempt&)> retry;
  /// Nodes (by candidate address) that take unary calls over a byte transport; the others, and
  /// every stream open, go over CAF.
  std::map<std::string, node_route> routes;
  /// Nodes (by candidate address) that say they serve over TLS only.
  std::set<std::string> tls_nodes;
};

}  // namespace micro::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(micro::actors::call_plan)
