#pragma once
// What a process holds, read from /proc: open file descriptors and threads. The fault tests
// compare them before and after a peer dies, so a leaked socket or handler thread shows.
#include <sys/types.h>

#include <string>

namespace micro::test {

struct proc_counts {
  int fds = -1;
  int threads = -1;
  bool operator==(const proc_counts& o) const { return fds == o.fds && threads == o.threads; }
  std::string describe() const { return std::to_string(fds) + " fds, " + std::to_string(threads) + " threads"; }
};

/// The counts of process `pid` (0: this process); -1 where /proc cannot be read.
proc_counts counts_of(pid_t pid = 0);

}  // namespace micro::test
