#pragma once
// A `micro stream ...` process whose stdin the test writes line by line and closes when it likes
// (a FIFO: the shared process helper gives its children /dev/null as stdin).

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "harness.hpp"

namespace micro::test {

class stream_cli {
 public:
  /// Starts `micro stream ARGS...` with a static registry of `registry_address`.
  stream_cli(const std::string& registry_address, const std::vector<std::string>& args);
  ~stream_cli();  // closes stdin; the process helper kills micro if it still runs
  stream_cli(const stream_cli&) = delete;
  stream_cli& operator=(const stream_cli&) = delete;

  /// Writes `line` and a '\n' to micro's stdin.
  void write_line(const std::string& line);
  /// The end of micro's stdin (idempotent).
  void close_stdin();

  process& proc() { return *proc_; }

  /// Waits for micro to exit (fails the test after `timeout`); its exit and all of its output.
  struct outcome {
    exit_status status;
    std::vector<std::string> out;  // stdout, line by line
    std::string err;               // all of stderr
    micro::error error() const;    // the first stderr line as a go-micro error (a 0 code if none)
  };
  outcome finish(std::chrono::milliseconds timeout = std::chrono::seconds{30});

 private:
  std::string dir_;
  int stdin_fd_ = -1;
  std::unique_ptr<process> proc_;
};

}  // namespace micro::test
