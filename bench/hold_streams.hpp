#pragma once
// The protocol of bench-open-streams and bench-grpc-open-streams, which scripts/bench drives
// (memory part): open one stream (the connection's own cost), print "connected rss_kib A", wait
// for a line on stdin; open N more, print "open N rss_kib B"; hold them until stdin closes.

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
  for (std::size_t i = 0; i < n; ++i) {
    if (!open_one()) {
      std::cerr << program << ": stream " << i << " failed\n";
      return 1;
    }
  }
  std::cout << "open " << n << " rss_kib " << rss_kib() << std::endl;
  while (std::getline(std::cin, line)) {
  }
  return 0;
}

}  // namespace bench
