#pragma once
// Child processes of the bench programs that start real services (bench-discovery,
// bench-scaleout): fork + execve with the parent's environment minus MICRO_* plus their own,
// stdio on /dev/null, killed with the bench (PR_SET_PDEATHSIG), stopped by PID.

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <climits>
#include <cstring>
#include <map>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "bench/exec_args.hpp"

namespace micro::bench {

/// The folder of the running executable: the bench finds the programs it starts beside itself.
inline std::string executable_dir() {
  char buf[PATH_MAX];
  auto n = ::readlink("/proc/self/exe", buf, sizeof(buf) - 1);
  if (n <= 0)
    return ".";
  std::string path(buf, static_cast<std::size_t>(n));
  return path.substr(0, path.rfind('/'));
}

// A child process: fork + execve with the parent's environment minus MICRO_*, plus `env`;
// stdin/stdout/stderr on /dev/null; killed with the bench (PR_SET_PDEATHSIG).
class child {
 public:
  child(const std::string& path, const std::vector<std::string>& args, const std::map<std::string, std::string>& env) {
    exec_args exec{path, args, env};
    auto& argv = exec.argv;
    auto& envp = exec.envp;
    int devnull = ::open("/dev/null", O_RDWR | O_CLOEXEC);
    pid_t parent = ::getpid();
    pid_ = ::fork();
    if (pid_ == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (::getppid() != parent)
        ::_exit(127);
      sigset_t none;
      ::sigemptyset(&none);
      ::sigprocmask(SIG_SETMASK, &none, nullptr);
      for (int fd = 0; fd < 3; ++fd)
        ::dup2(devnull, fd);
      ::execve(argv[0], argv.data(), envp.data());
      ::_exit(127);
    }
    if (devnull >= 0)
      ::close(devnull);
    if (pid_ < 0)
      throw std::runtime_error(std::string{"fork failed: "} + std::strerror(errno));
  }
  ~child() {
    if (!reaped_) {
      ::kill(pid_, SIGKILL);
      wait();
    }
  }
  child(const child&) = delete;
  child& operator=(const child&) = delete;

  void signal(int sig) {
    if (!reaped_)
      ::kill(pid_, sig);
  }
  // Blocks until the child ends; its raw wait status.
  int wait() {
    if (reaped_)
      return status_;
    while (::waitpid(pid_, &status_, 0) < 0 && errno == EINTR) {
    }
    reaped_ = true;
    return status_;
  }
  // SIGTERM, then SIGKILL if it has not ended within `grace`.
  void stop(std::chrono::milliseconds grace = std::chrono::milliseconds{5000}) {
    signal(SIGTERM);
    auto until = std::chrono::steady_clock::now() + grace;
    while (!reaped_ && std::chrono::steady_clock::now() < until) {
      if (::waitpid(pid_, &status_, WNOHANG) == pid_)
        reaped_ = true;
      else
        std::this_thread::sleep_for(std::chrono::milliseconds{5});
    }
    if (!reaped_) {
      signal(SIGKILL);
      wait();
    }
  }

  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  int status_ = 0;
  bool reaped_ = false;
};

}  // namespace micro::bench
