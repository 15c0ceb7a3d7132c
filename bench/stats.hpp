#pragma once
// Latency samples -> percentiles, and the one JSON line every unary or stream bench client
// prints (scripts/bench reads the same keys from it, whichever peer measured).

#include <cstddef>
#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

namespace bench {

struct summary {
  double p50_us = 0;
  double p99_us = 0;
  double calls_per_s = 0;
};

summary summarize(std::vector<int64_t> latencies_ns, double elapsed_s);

struct unary_run {
  std::string mode;
  std::size_t inflight = 1;
  std::size_t payload = 0;
  std::size_t calls = 0;
  std::size_t failed = 0;
};

void print_json(std::ostream& out, const unary_run& run, const summary& s);

// One stream: `messages` sent one way (kind "sink": the server counts them) or echoed back
// (kind "echo"); `received` is what came back (the echoes, or the server's count).
struct stream_run {
  std::string mode;
  std::string kind;
  std::size_t payload = 0;
  std::size_t messages = 0;
  std::size_t received = 0;
};

void print_json(std::ostream& out, const stream_run& run, double elapsed_s);

}  // namespace bench
