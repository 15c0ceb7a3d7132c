#pragma once
// What the metadata of one request may hold when it reaches a node (any transport). The frame
// limit already bounds its bytes; these bound what a handler, a log line or a forwarded call
// copies along: a request past one is answered with a 400 naming the limit, not run.

#include <cstddef>
#include <map>
#include <string>

namespace micro::actors {

/// The W3C trace context's metadata keys (micro/trace.hpp gives them to users): the entry limit
/// does not count them, since micro adds them to calls that may already hold the caller's 128.
inline constexpr const char* traceparent_key = "traceparent";
inline constexpr const char* tracestate_key = "tracestate";

struct metadata_limits {
  std::size_t max_entries = 128;  // besides the W3C trace context (traceparent, tracestate)
  std::size_t max_key_size = 256;
  std::size_t max_value_size = 16384;
};

// "" when `m` is within the limits; otherwise which one it exceeds ("metadata has 200 entries,
// limit 128").
std::string check_metadata(const std::map<std::string, std::string>& m, const metadata_limits& limits = {});

}  // namespace micro::actors
