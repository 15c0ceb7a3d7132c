#pragma once
// How `micro bench` prints what it measured: the summary as text or JSON, progress lines.

#include <map>
#include <string>

#include "micro/cli/bench_options.hpp"
#include "micro/cli/bench_tally.hpp"

namespace micro::cli {

/// What the report says about the run besides the numbers.
struct bench_setup {
  const bench_options* opts = nullptr;
  std::string strategy;                          // the one the calls used
  std::map<std::string, std::string> addresses;  // node id -> address, where the registry says
};

/// The summary for people: calls/s, latency percentiles, errors by code (with the first error of
/// each), calls per answering node with their share.
std::string text_report(const bench_setup& setup, const bench_summary& s);

/// The same as one JSON object: {"service","endpoint","strategy","concurrency","seconds","calls",
/// "ok","failed","calls_per_second","latency_ms":{"p50","p90","p99","max"} (null if no call
/// succeeded),"errors":{"CODE":{"count","first"}},"nodes":{"ID":{"calls","address"}}}.
std::string json_report(const bench_setup& setup, const bench_summary& s);

/// One progress line: the stretch that ended `at_seconds` into the run and lasted `seconds`.
std::string progress_line(double at_seconds, double seconds, const bench_counts& c);

}  // namespace micro::cli
