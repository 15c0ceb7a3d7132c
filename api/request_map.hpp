#pragma once
// How an HTTP request becomes a call, the go-micro way: the path names the service and endpoint,
// Micro-* headers and traceparent become metadata, a header or the default gives the deadline.

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "http/server.hpp"
#include "micro/context.hpp"
#include "micro/result.hpp"

namespace micro::api {

struct call_target {
  std::string service;
  std::string endpoint;  // "Greeter.Hello"; empty for the short form until resolved
  std::string method;    // the short form's method ("hello")
};

/// "/greeter/Greeter/Hello" -> {greeter, Greeter.Hello}; "/greeter/hello" -> {greeter, "", hello};
/// anything else: 404.
result<call_target> parse_path(const std::string& path);

/// The short form's endpoint among `endpoints` of the service: the one whose method (after the
/// '.') equals `method` ignoring case; none: go-micro's guess (Service.Method, capitalised);
/// several: 400 naming them.
result<std::string> resolve_short(const std::string& service, const std::string& method,
                                  const std::vector<std::string>& endpoints);

/// Metadata from the headers: "Micro-Foo-Bar: v" -> {"foo-bar": v} (but Micro-Timeout),
/// traceparent and tracestate as they are.
micro::metadata metadata_from(const http::headers& headers);

/// The call's deadline: Micro-Timeout ("250ms", "5s") or Timeout (seconds, as go-micro's
/// clients send it), else `fallback`; never above `max`. A malformed value is a 400.
result<std::chrono::milliseconds> deadline_from(const http::headers& headers, std::chrono::milliseconds fallback,
                                                std::chrono::milliseconds max);

/// The HTTP status for a call's error code: the code itself when it is an HTTP error status
/// (400-599), else 500.
int http_status(int code);

}  // namespace micro::api
