#pragma once
// A child process for integration tests: started with its own arguments and environment, its
// stdout and stderr read line by line (by a background thread, so a chatty child never blocks on
// a full pipe), signalled, waited for with a timeout, and always killed by the destructor.
//
// The child also gets PR_SET_PDEATHSIG(SIGKILL): if the test binary itself dies (a crash, a
// ctest timeout), its children die with it. That signal is tied to the *thread* that spawned
// the child, so spawn from a thread that outlives the child (the test's own thread).

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace micro::test {

/// The directory of the running executable (build/bin), from /proc/self/exe.
std::string executable_dir();

/// `name` next to the running executable.
std::string sibling_binary(const std::string& name);

/// How a child ended.
struct exit_status {
  bool exited = false;  // true: `code` is the exit code; false: killed by `signal`
  int code = -1;
  int signal = 0;
  std::string describe() const;
};

enum class stream { out, err };

class process {
 public:
  /// Starts `path` with `args` (argv[1..]). The child's environment is the parent's without any
  /// MICRO_* variable, plus `env` (so an outer MICRO_REGISTRY cannot leak into a test).
  /// Throws std::runtime_error if the child cannot be started.
  process(std::string path, std::vector<std::string> args, std::map<std::string, std::string> env = {});
  ~process();  // SIGKILL if still running, reap, join the reader
  process(const process&) = delete;
  process& operator=(const process&) = delete;

  pid_t pid() const noexcept { return pid_; }
  const std::string& name() const noexcept { return name_; }

  /// The next unread line of `s` (without '\n'); nullopt on timeout or end of stream.
  std::optional<std::string> read_line(stream s, std::chrono::milliseconds timeout);
  /// Skips lines of `s` until one contains `needle`; that line, or nullopt on timeout/EOF.
  std::optional<std::string> wait_for_line(stream s, const std::string& needle, std::chrono::milliseconds timeout);

  /// Sends `sig`; false if the child is already reaped.
  bool signal(int sig);
  /// SIGSTOP, then waits until /proc shows every thread of the child stopped: kill() returns
  /// before they are, and a thread still running may answer one more call. False if that does
  /// not happen within `timeout`.
  bool freeze(std::chrono::milliseconds timeout = std::chrono::seconds(5));
  /// Waits for the child to end; nullopt if it is still running after `timeout`.
  std::optional<exit_status> wait(std::chrono::milliseconds timeout);
  /// SIGKILL and reap (idempotent); returns how it ended.
  exit_status kill();
  bool running();

  /// Everything the child wrote so far (both streams, tagged), for failure messages.
  std::string transcript();

 private:
  void reader_loop();
  std::optional<exit_status> try_reap(bool block);

  std::string name_;
  pid_t pid_ = -1;
  std::optional<exit_status> status_;
  int out_fd_ = -1;
  int err_fd_ = -1;
  int stop_pipe_[2] = {-1, -1};
  std::thread reader_;

  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<std::string> lines_[2];
  std::string partial_[2];
  bool eof_[2] = {false, false};
  std::string transcript_;
};

}  // namespace micro::test
