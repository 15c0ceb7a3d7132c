#pragma once
// This process's resident set size, from /proc/self/status (what scripts/bench reads for others).

#include <fstream>
#include <string>

namespace bench {

inline long rss_kib() {
  std::ifstream status{"/proc/self/status"};
  std::string key;
  while (status >> key) {
    if (key == "VmRSS:") {
      long kib = 0;
      status >> kib;
      return kib;
    }
    status.ignore(4096, '\n');
  }
  return -1;
}

}  // namespace bench
