#pragma once
// The protocol of bench-open-streams and bench-grpc-open-streams, which scripts/bench drives
// (memory part): open one stream (the connection's own cost), print "connected rss_kib A", wait
// for a line on stdin; open N more, one after the other, print "open N ms T rss_kib B" (T: the
// time the N opens took, each with its first echo); hold them until stdin closes.

#include <chrono>
#include <cstddef>
#include <functional>
#include <iostream>
#include <string>

#include "bench/rss.hpp"

namespace bench {

/// `open_one` opens one stream, carries one echo on it and keeps it; false if it could not.
/// Returns the program's exit code once stdin has closed (the streams are still open then).
inline int hold_streams(const char* program, std::size_t n, const std::function<bool()>& open_one) {
  if (!open_one()) {
    std::cerr << program << ": could not open a stream\n";
    return 1;
  }
  std::cout << "connected rss_kib " << rss_kib() << std::endl;
  std::string line;
  std::getline(std::cin, line);
  auto t0 = std::chrono::steady_clock::now();
  for (std::size_t i = 0; i < n; ++i) {
    if (!open_one()) {
      std::cerr << program << ": stream " << i << " failed\n";
      return 1;
    }
  }
  auto ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  std::cout << "open " << n << " ms " << ms << " rss_kib " << rss_kib() << std::endl;
  while (std::getline(std::cin, line)) {
  }
  return 0;
}

}  // namespace bench
