#include "etcd_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <stdexcept>
#include <vector>

namespace micro::test {

namespace {

bool executable(const std::string& path) { return !path.empty() && ::access(path.c_str(), X_OK) == 0; }

int unused_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error("socket() failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(fd);
    throw std::runtime_error("cannot bind a loopback port");
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

}  // namespace

std::string find_etcd() {
  if (const char* env = std::getenv("ETCD"); env != nullptr && executable(env)) return env;
  std::vector<std::string> dirs;
  if (const char* path = std::getenv("PATH"); path != nullptr) {
    std::stringstream ss(path);
    for (std::string dir; std::getline(ss, dir, ':');) dirs.push_back(dir);
  }
  dirs.push_back("/usr/bin");
  dirs.push_back("/usr/sbin");
  for (auto& dir : dirs)
    if (std::string candidate = dir + "/etcd"; executable(candidate)) return candidate;
  return {};
}

etcd_server::etcd_server(std::string host) : host_(std::move(host)) {
  char tmpl[] = "/tmp/micro-etcd-XXXXXX";
  if (::mkdtemp(tmpl) == nullptr) throw std::runtime_error("mkdtemp failed");
  dir_ = tmpl;
  client_port_ = unused_port();
  peer_port_ = unused_port();
  start();
}

etcd_server::~etcd_server() {
  stop();
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

void etcd_server::start() {
  const auto binary = find_etcd();
  if (binary.empty()) throw std::runtime_error("etcd not found (PATH, /usr/bin, $ETCD): run scripts/install-deps");
  const auto peer = "http://127.0.0.1:" + std::to_string(peer_port_);
  proc_ = std::make_unique<process>(
      binary, std::vector<std::string>{"--name", "micro-test", "--data-dir", dir_ + "/data",
                                       "--listen-client-urls", url(), "--advertise-client-urls", url(),
                                       "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
                                       "--initial-cluster", "micro-test=" + peer});
  if (!proc_->wait_for_line(stream::err, "ready to serve client requests", std::chrono::seconds(20)))
    throw std::runtime_error("etcd did not become ready within 20 s:\n" + proc_->transcript());
}

void etcd_server::stop() {
  if (!proc_) return;
  proc_->signal(SIGTERM);
  if (!proc_->wait(std::chrono::seconds(10))) proc_->kill();
  proc_.reset();
}

void etcd_server::wipe() {
  stop();
  std::error_code ec;
  std::filesystem::remove_all(dir_ + "/data", ec);
  start();
}

std::string etcd_server::transcript() { return proc_ ? proc_->transcript() : std::string{}; }

}  // namespace micro::test
