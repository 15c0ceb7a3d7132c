#include "nats_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <sstream>
#include <stdexcept>
#include <vector>

namespace micro::test {

namespace {

bool executable(const std::string& path) { return !path.empty() && ::access(path.c_str(), X_OK) == 0; }

}  // namespace

std::string find_nats_server() {
  if (const char* env = std::getenv("NATS_SERVER"); env != nullptr && executable(env)) return env;
  std::vector<std::string> dirs;
  if (const char* path = std::getenv("PATH"); path != nullptr) {
    std::stringstream ss(path);
    for (std::string dir; std::getline(ss, dir, ':');) dirs.push_back(dir);
  }
  dirs.push_back("/usr/sbin");
  dirs.push_back("/usr/bin");
  for (auto& dir : dirs) {
    if (std::string candidate = dir + "/nats-server"; executable(candidate)) return candidate;
  }
  return {};
}

int unused_loopback_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error("socket() failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(fd);
    throw std::runtime_error("cannot bind a loopback port");
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

nats_server::nats_server(int port, std::chrono::milliseconds timeout, std::vector<std::string> extra_args) {
  std::string binary = find_nats_server();
  if (binary.empty()) {
    throw std::runtime_error("nats-server not found (on PATH, /usr/sbin or $NATS_SERVER): run scripts/install-deps");
  }
  std::vector<std::string> args{"-a", "127.0.0.1", "-p", port == 0 ? "-1" : std::to_string(port)};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  proc_ = std::make_unique<process>(binary, args);
  auto deadline = std::chrono::steady_clock::now() + timeout;
  auto left = [&] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
  };
  const std::string listening = "Listening for client connections on ";
  auto line = proc_->wait_for_line(stream::err, listening, left());
  if (line) {
    auto colon = line->rfind(':');
    if (colon != std::string::npos) port_ = std::atoi(line->c_str() + colon + 1);
  }
  if (!line || port_ <= 0 || !proc_->wait_for_line(stream::err, "Server is ready", left())) {
    std::string out = proc_->transcript();
    proc_->kill();
    throw std::runtime_error("nats-server did not become ready within " + std::to_string(timeout.count()) +
                             " ms; its output:\n" + out);
  }
}

nats_server::~nats_server() = default;

pid_t nats_server::pid() const noexcept { return proc_->pid(); }

void nats_server::kill() { proc_->kill(); }

void nats_server::stop() {
  proc_->signal(SIGTERM);
  if (!proc_->wait(std::chrono::seconds(5))) proc_->kill();
}

std::string nats_server::transcript() { return proc_->transcript(); }

}  // namespace micro::test
