#pragma once
// How one call is made: its deadline, codecs, metadata, which nodes may serve it (filters, fixed
// addresses), how a node is chosen and when a failed attempt is tried again (micro/selector.hpp).

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "micro/context.hpp"
#include "micro/selector.hpp"

namespace micro {

struct call_options {
  std::chrono::milliseconds timeout{0};  // 0: the client's request timeout (default 5 s)
  std::string content_type;              // empty: the client's, else the request type's codec
  std::string accept;                    // empty: the response type's codec
  micro::metadata metadata;              // sent with the call (merged over the parent's)
  std::vector<named_filter> filters;     // narrow the registry's nodes; a node must pass all
  std::vector<std::string> addresses;    // host:port list that bypasses the registry
  std::optional<micro::strategy> strategy;  // empty: the client's (MICRO_SELECTOR)
  std::optional<std::size_t> retries;    // empty: the client's (MICRO_CLIENT_RETRIES)
  bool retry_on_timeout = false;         // also retry a 408 (the handler may have run)
  bool idempotent = false;               // the caller vouches the call is safe to run twice: also
                                         // retried when its node died after delivery, whatever
                                         // the registry says about the endpoint
  std::chrono::milliseconds attempt_timeout{0};  // bound per attempt (0: all the time left), so
                                                 // a slow node leaves time for a retry
  retry_policy retry;                    // empty: default_retry_policy

  call_options& with_timeout(std::chrono::milliseconds t) { timeout = t; return *this; }
  call_options& with_content_type(std::string ct) { content_type = std::move(ct); return *this; }
  call_options& with_metadata(std::string k, std::string v) { metadata[std::move(k)] = std::move(v); return *this; }
  call_options& with_filter(named_filter f) { filters.push_back(std::move(f)); return *this; }
  call_options& with_filter(node_filter f, std::string description = "custom filter") {
    filters.push_back(named_filter{std::move(description), std::move(f)});
    return *this;
  }
  call_options& with_address(std::string a) { addresses.push_back(std::move(a)); return *this; }
  call_options& with_strategy(micro::strategy s) { strategy = s; return *this; }
  call_options& with_retries(std::size_t n) { retries = n; return *this; }
  call_options& with_retry_on_timeout(bool on = true) { retry_on_timeout = on; return *this; }
  call_options& with_idempotent(bool on = true) { idempotent = on; return *this; }
  call_options& with_attempt_timeout(std::chrono::milliseconds t) { attempt_timeout = t; return *this; }
  call_options& with_retry_policy(retry_policy p) { retry = std::move(p); return *this; }
};

}  // namespace micro
