#pragma once
// What `micro bench` is asked to do, parsed from its arguments.

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include "micro/call_options.hpp"
#include "micro/result.hpp"

namespace micro::cli {

struct bench_options {
  std::string service;
  std::string endpoint;
  std::string body = "{}";                   // sent with every call, as `micro call` sends it
  std::string content_type = "application/json";
  call_options call;                         // metadata, strategy, timeout
  std::chrono::nanoseconds duration{0};      // run this long (0: until `requests` calls)...
  std::size_t requests = 0;                  // ...or make this many calls (0: for `duration`)
  std::size_t concurrency = 1;               // calls in flight at once (one thread each)
  double rate = 0;                           // calls started per second in all (0: no limit)
  std::chrono::nanoseconds interval{0};      // a progress line on stderr this often (0: none)
  bool json_output = false;                  // the summary as one JSON object
};

/// Usage line of `micro bench`, for errors and help.
extern const char* const bench_usage;

/// Parses `micro bench` arguments (after the command name). Every bad or missing value, an
/// unknown flag, --duration together with --requests, a body that is not JSON: a 400 naming it.
/// Neither --duration nor --requests: --duration 10s.
result<bench_options> parse_bench_options(const std::vector<std::string>& args);

}  // namespace micro::cli
