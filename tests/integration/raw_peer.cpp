#include "raw_peer.hpp"

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <stdexcept>

namespace micro::test {

namespace {

using clock_type = std::chrono::steady_clock;

void put_be(std::string& out, uint64_t value, int bytes) {
  for (int i = bytes - 1; i >= 0; --i)
    out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

uint32_t get_be32(const std::string& s, std::size_t at) {
  uint32_t v = 0;
  for (std::size_t i = 0; i < 4; ++i)
    v = (v << 8) | static_cast<unsigned char>(s[at + i]);
  return v;
}

constexpr std::size_t header_size = 32;
constexpr std::size_t node_id_size = 32;
constexpr uint8_t server_handshake_op = 0;
constexpr uint8_t client_handshake_op = 1;

}  // namespace

std::string basp_header(uint8_t operation, uint32_t payload_len, uint64_t operation_data, uint64_t source_actor,
                        uint64_t dest_actor) {
  std::string h;
  h.push_back(static_cast<char>(operation));
  h.append(3, '\0');  // padding, padding, flags
  put_be(h, payload_len, 4);
  put_be(h, operation_data, 8);
  put_be(h, source_actor, 8);
  put_be(h, dest_actor, 8);
  return h;
}

raw_peer::raw_peer(uint16_t port) {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0)
    throw std::runtime_error(std::string{"socket: "} + std::strerror(errno));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    auto err = errno;
    ::close(fd_);
    throw std::runtime_error("connect to port " + std::to_string(port) + ": " + std::strerror(err));
  }
  sockaddr_in local{};
  socklen_t len = sizeof(local);
  ::getsockname(fd_, reinterpret_cast<sockaddr*>(&local), &len);
  local_port_ = ntohs(local.sin_port);
}

raw_peer::raw_peer(const std::string& address)
    : raw_peer(static_cast<uint16_t>(std::stoul(address.substr(address.rfind(':') + 1)))) {}

raw_peer::~raw_peer() {
  if (fd_ >= 0)
    ::close(fd_);
}

raw_peer::raw_peer(raw_peer&& other) noexcept
    : fd_(other.fd_),
      local_port_(other.local_port_),
      closed_(other.closed_),
      node_id_(std::move(other.node_id_)),
      own_node_id_(std::move(other.own_node_id_)) {
  other.fd_ = -1;
}

bool raw_peer::send(const std::string& bytes) {
  std::size_t sent = 0;
  while (sent < bytes.size()) {
    auto n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      closed_ = true;
      return false;
    }
    sent += static_cast<std::size_t>(n);
  }
  return true;
}

std::string raw_peer::read_exactly(std::size_t n, std::chrono::milliseconds timeout) {
  std::string out;
  auto until = clock_type::now() + timeout;
  while (out.size() < n) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - clock_type::now()).count();
    if (left <= 0)
      return {};
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left)) <= 0)
      continue;
    char buf[4096];
    auto got = ::recv(fd_, buf, std::min(sizeof(buf), n - out.size()), 0);
    if (got <= 0) {
      closed_ = true;
      return {};
    }
    out.append(buf, static_cast<std::size_t>(got));
  }
  return out;
}

bool raw_peer::closed_by_node() {
  while (!closed_) {
    char buf[4096];
    auto got = ::recv(fd_, buf, sizeof(buf), MSG_DONTWAIT);
    if (got > 0)
      continue;
    if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
      return false;
    closed_ = true;  // 0: end of stream; ECONNRESET and the like: closed too
  }
  return true;
}

bool raw_peer::wait_closed(std::chrono::milliseconds timeout) {
  auto until = clock_type::now() + timeout;
  while (!closed_by_node()) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - clock_type::now()).count();
    if (left <= 0)
      return false;
    pollfd p{fd_, POLLIN, 0};
    ::poll(&p, 1, static_cast<int>(left));
  }
  return true;
}

bool raw_peer::handshake(uint32_t pid, std::chrono::milliseconds timeout) {
  auto header = read_exactly(header_size, timeout);
  if (header.size() != header_size || header[0] != static_cast<char>(server_handshake_op))
    return false;
  auto payload = read_exactly(get_be32(header, 4), timeout);
  if (payload.size() < node_id_size)
    return false;
  node_id_ = payload.substr(0, node_id_size);
  own_node_id_ = node_id_;
  std::string pid_bytes;
  put_be(pid_bytes, pid, 4);
  own_node_id_.replace(8, 4, pid_bytes);  // another process on the server's host
  return send(basp_header(client_handshake_op, static_cast<uint32_t>(own_node_id_.size())) + own_node_id_);
}

namespace {

// A "Vm...:" line of /proc/<pid>/status in bytes, or -1.
long long status_bytes(pid_t pid, const std::string& wanted) {
  std::ifstream in{"/proc/" + std::to_string(pid) + "/status"};
  std::string key;
  while (in >> key) {
    if (key == wanted) {
      long long kib = -1;
      in >> kib;
      return kib < 0 ? -1 : kib * 1024;
    }
    in.ignore(1 << 16, '\n');
  }
  return -1;
}

}  // namespace

long long rss_bytes(pid_t pid) { return status_bytes(pid, "VmRSS:"); }

long long peak_rss_bytes(pid_t pid) { return status_bytes(pid, "VmHWM:"); }

long open_fds(pid_t pid) {
  auto* dir = ::opendir(("/proc/" + std::to_string(pid) + "/fd").c_str());
  if (dir == nullptr)
    return -1;
  long n = 0;
  while (auto* entry = ::readdir(dir))
    if (entry->d_name[0] != '.')
      ++n;
  ::closedir(dir);
  return n;
}

}  // namespace micro::test
