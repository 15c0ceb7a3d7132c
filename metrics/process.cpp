// The process' own figures, read from /proc when scraped: resident memory, threads, open file
// descriptors, start time (the names Prometheus' client libraries use, so existing dashboards fit).
#include <dirent.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>

#include "metrics/registry.hpp"

namespace micro::metrics {

namespace {

double resident_bytes() {
  std::ifstream statm{"/proc/self/statm"};
  double pages = 0, resident = 0;
  statm >> pages >> resident;
  return resident * static_cast<double>(::sysconf(_SC_PAGESIZE));
}

double threads() {
  std::ifstream status{"/proc/self/status"};
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("Threads:", 0) == 0)
      return std::stod(line.substr(8));
  return 0;
}

double open_fds() {
  DIR* dir = ::opendir("/proc/self/fd");
  if (dir == nullptr)
    return 0;
  double n = 0;
  while (auto* e = ::readdir(dir))
    if (e->d_name[0] != '.')
      ++n;
  ::closedir(dir);
  return n - 1;  // the descriptor of the listing itself
}

double cpu_seconds() {
  std::ifstream stat{"/proc/self/stat"};
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  auto close = text.rfind(')');  // the command name may hold spaces
  if (close == std::string::npos)
    return 0;
  std::istringstream rest{text.substr(close + 2)};
  std::string field;
  double utime = 0, stime = 0;
  for (int i = 3; i <= 15 && rest >> field; ++i) {
    if (i == 14) utime = std::stod(field);
    if (i == 15) stime = std::stod(field);
  }
  return (utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

}  // namespace

void add_process_collector(registry& r) {
  static const double started =
    std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  r.collect("process", [](std::vector<family_snapshot>& out) {
    out.push_back({"process_resident_memory_bytes", "Resident memory size in bytes.", kind::gauge, {{{}, resident_bytes()}}});
    out.push_back({"process_threads", "Number of OS threads in the process.", kind::gauge, {{{}, threads()}}});
    out.push_back({"process_open_fds", "Number of open file descriptors.", kind::gauge, {{{}, open_fds()}}});
    out.push_back({"process_cpu_seconds_total", "Total user and system CPU time spent in seconds.", kind::counter,
                   {{{}, cpu_seconds()}}});
    out.push_back({"process_start_time_seconds", "Start time of the process since unix epoch in seconds.", kind::gauge,
                   {{{}, started}}});
  });
}

}  // namespace micro::metrics
