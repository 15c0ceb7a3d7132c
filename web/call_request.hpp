#pragma once
// What the dashboard's call form sends, checked before any call is made:
//   {"service":"greeter","endpoint":"Greeter.Hello","request":{"name":"Ann"},"timeout_ms":2000,"node":"ID"}
// "request" is any JSON (default {}); "timeout_ms" at most the dashboard's limit; "node" pins
// the call to one node. Anything else wrong is a 400 that names the field.

#include <chrono>
#include <string>

#include "micro/result.hpp"

namespace micro::web {

struct call_request {
  std::string service;
  std::string endpoint;
  std::string body;  // the request as JSON text
  std::chrono::milliseconds timeout{0};
  std::string node;
};

result<call_request> parse_call_request(const std::string& json, std::chrono::milliseconds max_timeout);

}  // namespace micro::web
