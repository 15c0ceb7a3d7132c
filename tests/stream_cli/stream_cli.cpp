#include "stream_cli.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

#include <catch2/catch.hpp>

namespace micro::test {

stream_cli::stream_cli(const std::string& registry_address, const std::vector<std::string>& args) {
  char dir[] = "/tmp/stream_cli.XXXXXX";
  if (::mkdtemp(dir) == nullptr)
    throw std::runtime_error(std::string{"mkdtemp: "} + std::strerror(errno));
  dir_ = dir;
  ::signal(SIGPIPE, SIG_IGN);  // a write after micro exited fails with EPIPE instead
  auto fifo = dir_ + "/stdin";
  if (::mkfifo(fifo.c_str(), 0600) != 0)
    throw std::runtime_error("mkfifo " + fifo + ": " + std::strerror(errno));
  auto env = heartbeat_env();
  env["MICRO_REGISTRY"] = "static";
  env["MICRO_REGISTRY_ADDRESS"] = registry_address;
  env["STREAM_CLI_STDIN"] = fifo;
  std::vector<std::string> sh_args{"-c", "exec \"$0\" \"$@\" <\"$STREAM_CLI_STDIN\"", sibling_binary("micro"), "stream"};
  sh_args.insert(sh_args.end(), args.begin(), args.end());
  proc_ = std::make_unique<process>("/bin/sh", sh_args, env);
  // Our end opens once micro's did (ENXIO until then), so closing it is always micro's EOF.
  // Close-on-exec: micro's is the only other end.
  auto until = steady_clock::now() + 30s;
  while ((stdin_fd_ = ::open(fifo.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC)) < 0) {
    if (errno != ENXIO || !proc_->running() || steady_clock::now() >= until)
      FAIL("micro stream did not open its stdin (" << std::strerror(errno) << "); its output:\n" << proc_->transcript());
    std::this_thread::sleep_for(1ms);  // polling for micro's open, not a sync point
  }
  ::fcntl(stdin_fd_, F_SETFL, 0);  // blocking writes from now on
}

stream_cli::~stream_cli() {
  close_stdin();
  proc_.reset();
  ::unlink((dir_ + "/stdin").c_str());
  ::rmdir(dir_.c_str());
}

void stream_cli::write_line(const std::string& line) {
  auto text = line + "\n";
  for (std::size_t done = 0; done < text.size();) {
    auto n = ::write(stdin_fd_, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      throw std::runtime_error(std::string{"writing micro's stdin: "} + std::strerror(errno));
    done += static_cast<std::size_t>(n);
  }
}

void stream_cli::close_stdin() {
  if (stdin_fd_ >= 0)
    ::close(stdin_fd_);
  stdin_fd_ = -1;
}

stream_cli::outcome stream_cli::finish(std::chrono::milliseconds timeout) {
  auto status = proc_->wait(timeout);
  if (!status)
    FAIL("micro stream did not finish within " << timeout.count() << " ms; its output:\n" << proc_->transcript());
  outcome run;
  run.status = *status;
  while (auto line = proc_->read_line(stream::out, std::chrono::seconds{5}))
    run.out.push_back(*line);
  while (auto line = proc_->read_line(stream::err, std::chrono::seconds{5}))
    run.err += *line + "\n";
  return run;
}

micro::error stream_cli::outcome::error() const {
  auto parsed = micro::error::from_json(err.substr(0, err.find('\n')));
  return parsed ? *parsed : micro::error{"", 0, "no error on stderr", ""};
}

}  // namespace micro::test
