#include "proc_counts.hpp"

#include <dirent.h>

#include <fstream>

namespace micro::test {

proc_counts counts_of(pid_t pid) {
  const std::string dir = pid == 0 ? std::string{"/proc/self"} : "/proc/" + std::to_string(pid);
  proc_counts c;
  if (DIR* d = ::opendir((dir + "/fd").c_str())) {
    c.fds = 0;
    while (auto* e = ::readdir(d))
      c.fds += e->d_name[0] != '.';
    ::closedir(d);
    if (pid == 0)
      --c.fds;  // the directory stream just read, open while counting
  }
  std::ifstream status{dir + "/status"};
  std::string key;
  while (status >> key) {
    if (key == "Threads:") {
      status >> c.threads;
      break;
    }
    status.ignore(4096, '\n');
  }
  return c;
}

}  // namespace micro::test
