#include "process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>

extern char** environ;

namespace micro::test {

std::string executable_dir() {
  char buf[PATH_MAX];
  auto n = ::readlink("/proc/self/exe", buf, sizeof(buf) - 1);
  if (n <= 0)
    throw std::runtime_error("cannot read /proc/self/exe");
  std::string path(buf, static_cast<std::size_t>(n));
  return path.substr(0, path.rfind('/'));
}

std::string sibling_binary(const std::string& name) { return executable_dir() + "/" + name; }

std::string exit_status::describe() const {
  if (exited)
    return "exited with code " + std::to_string(code);
  return "killed by signal " + std::to_string(signal) + " (" + ::strsignal(signal) + ")";
}

process::process(std::string path, std::vector<std::string> args, std::map<std::string, std::string> env) {
  name_ = path.substr(path.rfind('/') + 1);
  // Everything the child needs is built before fork: after it, only async-signal-safe calls.
  std::vector<std::string> argv_store;
  argv_store.push_back(path);
  for (auto& a : args)
    argv_store.push_back(a);
  std::vector<std::string> env_store;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string entry = *e;
    auto key = entry.substr(0, entry.find('='));
    if (key.rfind("MICRO_", 0) == 0 || env.count(key) != 0)
      continue;
    env_store.push_back(entry);
  }
  for (auto& [k, v] : env)
    env_store.push_back(k + "=" + v);
  std::vector<char*> argv;
  for (auto& a : argv_store)
    argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (auto& e : env_store)
    envp.push_back(e.data());
  envp.push_back(nullptr);

  int out[2], err[2];
  if (::pipe2(out, O_CLOEXEC) != 0)
    throw std::runtime_error("pipe2 failed");
  if (::pipe2(err, O_CLOEXEC) != 0) {
    ::close(out[0]);
    ::close(out[1]);
    throw std::runtime_error("pipe2 failed");
  }
  if (::pipe2(stop_pipe_, O_CLOEXEC) != 0)
    throw std::runtime_error("pipe2 failed");
  int devnull = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  pid_t parent = ::getpid();

  pid_ = ::fork();
  if (pid_ < 0)
    throw std::runtime_error(std::string{"fork failed: "} + std::strerror(errno));
  if (pid_ == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent)  // the parent died before prctl took effect
      ::_exit(127);
    // The test may have blocked or ignored signals: the child starts clean.
    sigset_t none;
    ::sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::signal(SIGPIPE, SIG_DFL);
    if (devnull >= 0)
      ::dup2(devnull, 0);
    ::dup2(out[1], 1);
    ::dup2(err[1], 2);
    ::execve(argv[0], argv.data(), envp.data());
    const char msg[] = "exec failed\n";
    auto ignored = ::write(2, msg, sizeof(msg) - 1);
    static_cast<void>(ignored);
    ::_exit(127);
  }
  if (devnull >= 0)
    ::close(devnull);
  ::close(out[1]);
  ::close(err[1]);
  out_fd_ = out[0];
  err_fd_ = err[0];
  reader_ = std::thread{[this] { reader_loop(); }};
}

process::~process() {
  kill();
  if (stop_pipe_[1] >= 0) {
    char byte = 1;
    auto ignored = ::write(stop_pipe_[1], &byte, 1);
    static_cast<void>(ignored);
  }
  if (reader_.joinable())
    reader_.join();
  for (int fd : {out_fd_, err_fd_, stop_pipe_[0], stop_pipe_[1]})
    if (fd >= 0)
      ::close(fd);
}

void process::reader_loop() {
  char buf[4096];
  for (;;) {
    pollfd fds[3] = {{out_fd_, POLLIN, 0}, {err_fd_, POLLIN, 0}, {stop_pipe_[0], POLLIN, 0}};
    {
      std::lock_guard<std::mutex> guard{mutex_};
      if (eof_[0])
        fds[0].fd = -1;
      if (eof_[1])
        fds[1].fd = -1;
      if (eof_[0] && eof_[1])
        return;
    }
    if (::poll(fds, 3, -1) < 0) {
      if (errno == EINTR)
        continue;
      return;
    }
    if (fds[2].revents != 0)
      return;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0)
        continue;
      auto n = ::read(fds[i].fd, buf, sizeof(buf));
      if (n < 0 && errno == EINTR)
        continue;
      std::lock_guard<std::mutex> guard{mutex_};
      if (n <= 0) {
        if (!partial_[i].empty()) {
          lines_[i].push_back(partial_[i]);
          partial_[i].clear();
        }
        eof_[i] = true;
      } else {
        const char* tag = i == 0 ? "[out] " : "[err] ";
        for (ssize_t k = 0; k < n; ++k) {
          if (buf[k] == '\n') {
            transcript_ += tag + partial_[i] + "\n";
            lines_[i].push_back(std::move(partial_[i]));
            partial_[i].clear();
          } else {
            partial_[i] += buf[k];
          }
        }
      }
      changed_.notify_all();
    }
  }
}

std::optional<std::string> process::read_line(stream s, std::chrono::milliseconds timeout) {
  auto i = s == stream::out ? 0 : 1;
  std::unique_lock<std::mutex> lock{mutex_};
  changed_.wait_for(lock, timeout, [&] { return !lines_[i].empty() || eof_[i]; });
  if (lines_[i].empty())
    return std::nullopt;
  auto line = std::move(lines_[i].front());
  lines_[i].pop_front();
  return line;
}

std::optional<std::string> process::wait_for_line(stream s, const std::string& needle,
                                                  std::chrono::milliseconds timeout) {
  auto until = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
    if (left.count() < 0)
      return std::nullopt;
    auto line = read_line(s, left);
    if (!line)
      return std::nullopt;
    if (line->find(needle) != std::string::npos)
      return line;
  }
}

std::optional<exit_status> process::try_reap(bool block) {
  if (status_)
    return status_;
  if (pid_ <= 0)
    return std::nullopt;
  int raw = 0;
  pid_t r;
  do {
    r = ::waitpid(pid_, &raw, block ? 0 : WNOHANG);
  } while (r < 0 && errno == EINTR);
  if (r != pid_)
    return std::nullopt;
  exit_status st;
  if (WIFEXITED(raw)) {
    st.exited = true;
    st.code = WEXITSTATUS(raw);
  } else if (WIFSIGNALED(raw)) {
    st.signal = WTERMSIG(raw);
  }
  status_ = st;
  return status_;
}

bool process::signal(int sig) {
  if (status_ || pid_ <= 0)
    return false;
  return ::kill(pid_, sig) == 0;
}

namespace {

// True when every thread of `pid` is in state 'T' (stopped) according to /proc/PID/task.
bool all_threads_stopped(pid_t pid) {
  std::error_code ec;
  std::filesystem::directory_iterator tasks{"/proc/" + std::to_string(pid) + "/task", ec};
  if (ec)
    return false;
  bool any = false;
  for (const auto& task : tasks) {
    std::ifstream in{task.path() / "stat"};
    std::string stat{std::istreambuf_iterator<char>{in}, std::istreambuf_iterator<char>{}};
    auto name_end = stat.rfind(')');  // the state follows the parenthesised name
    if (name_end == std::string::npos || name_end + 2 >= stat.size() || stat[name_end + 2] != 'T')
      return false;
    any = true;
  }
  return any;
}

}  // namespace

bool process::freeze(std::chrono::milliseconds timeout) {
  if (!signal(SIGSTOP))
    return false;
  auto until = std::chrono::steady_clock::now() + timeout;
  while (!all_threads_stopped(pid_)) {
    if (std::chrono::steady_clock::now() >= until)
      return false;
    std::this_thread::yield();
  }
  return true;
}

std::optional<exit_status> process::wait(std::chrono::milliseconds timeout) {
  auto until = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (auto st = try_reap(false))
      return st;
    if (std::chrono::steady_clock::now() >= until)
      return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds{5});  // polling waitpid, not a sync point
  }
}

exit_status process::kill() {
  if (auto st = try_reap(false))
    return *st;
  ::kill(pid_, SIGKILL);  // also ends a SIGSTOPped child
  if (auto st = try_reap(true))
    return *st;
  return exit_status{};
}

bool process::running() { return !try_reap(false).has_value(); }

std::string process::transcript() {
  std::lock_guard<std::mutex> guard{mutex_};
  auto out = transcript_;
  for (int i = 0; i < 2; ++i)
    if (!partial_[i].empty())
      out += (i == 0 ? "[out] " : "[err] ") + partial_[i] + " (no newline)\n";
  return out;
}

}  // namespace micro::test
