#pragma once
// The network's side of a tcp transport test: frames built byte by byte and plain blocking
// sockets, no micro code, as a stranger (or a node of another version) would speak.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "transport/frame.hpp"

namespace transport_test {

using namespace micro::transport;

inline std::string frame_bytes(uint32_t length, uint8_t version, frame_kind kind, uint64_t id, const std::string& body,
                               uint16_t flags = 0) {
  std::string out;
  for (int i = 3; i >= 0; --i) out.push_back(static_cast<char>((length >> (8 * i)) & 0xff));
  out.push_back(static_cast<char>(version));
  out.push_back(static_cast<char>(kind));
  out.push_back(static_cast<char>(flags >> 8));
  out.push_back(static_cast<char>(flags & 0xff));
  for (int i = 7; i >= 0; --i) out.push_back(static_cast<char>((id >> (8 * i)) & 0xff));
  return out + body;
}

// flags 0: a peer that does not answer pings (what nodes before pings said).
inline std::string hello(uint8_t version = protocol_version, uint16_t flags = 0) {
  return frame_bytes(sizeof handshake_magic - 1, version, frame_kind::hello, 0, handshake_magic, flags);
}

// A frame of ours with the right length in its header, `flags` 0 unless given.
inline std::string frame_of(frame_kind kind, uint64_t id, const std::string& body, uint16_t flags = 0) {
  return frame_bytes(static_cast<uint32_t>(body.size()), protocol_version, kind, id, body, flags);
}

// The frames in `bytes`, as far as they are complete (headers trusted: ours).
struct full_frame {
  frame_kind kind;
  uint16_t flags;
  uint64_t id;
  std::string body;
};
inline std::vector<full_frame> parse_full(const std::string& bytes) {
  std::vector<full_frame> out;
  std::size_t at = 0;
  auto byte = [&](std::size_t i) { return static_cast<uint64_t>(static_cast<unsigned char>(bytes[i])); };
  while (bytes.size() - at >= frame_header_size) {
    uint64_t length = 0, id = 0;
    for (std::size_t i = 0; i < 4; ++i) length = length << 8 | byte(at + i);
    for (std::size_t i = 8; i < 16; ++i) id = id << 8 | byte(at + i);
    if (bytes.size() - at < frame_header_size + length) break;
    auto flags = static_cast<uint16_t>(byte(at + 6) << 8 | byte(at + 7));
    out.push_back({static_cast<frame_kind>(bytes[at + 5]), flags, id, bytes.substr(at + frame_header_size, length)});
    at += frame_header_size + length;
  }
  return out;
}

// The same, kind and id only.
struct seen_frame {
  frame_kind kind;
  uint64_t id;
};
inline std::vector<seen_frame> parse_frames(const std::string& bytes) {
  std::vector<seen_frame> out;
  for (auto& f : parse_full(bytes))
    out.push_back({f.kind, f.id});
  return out;
}

// A plain blocking socket: dialled to a listener, or accepted by a raw_listener.
class raw_socket {
 public:
  explicit raw_socket(const std::string& address) {
    auto colon = address.rfind(':');
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(static_cast<uint16_t>(std::stoi(address.substr(colon + 1))));
    inet_pton(AF_INET, address.substr(0, colon).c_str(), &sa.sin_addr);
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd_ >= 0);
    REQUIRE(::connect(fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0);
  }
  explicit raw_socket(int accepted_fd) : fd_{accepted_fd} {}
  raw_socket(const raw_socket&) = delete;
  raw_socket& operator=(const raw_socket&) = delete;
  ~raw_socket() { ::close(fd_); }
  void send(const std::string& bytes) { REQUIRE(::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(bytes.size())); }
  // Reads until the peer closes (true) or `limit` passes (false); what arrived goes to `received`.
  bool wait_closed(std::chrono::milliseconds limit, std::string* received = nullptr) {
    return read_until(limit, received, [](const std::string&) { return false; });
  }
  // Reads into `received` until it holds `n` complete frames (true), or the peer closes or
  // `limit` passes (false).
  bool wait_frames(std::size_t n, std::chrono::milliseconds limit, std::string& received) {
    bool closed = read_until(limit, &received, [n](const std::string& got) { return parse_frames(got).size() >= n; });
    return !closed && parse_frames(received).size() >= n;
  }
  // For attackers that go on until they are cut off.
  bool try_send(const std::string& bytes) { return ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) > 0; }
  void half_close() { ::shutdown(fd_, SHUT_WR); }
  // Whether the peer has closed by now (without waiting).
  bool closed_now() {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, 0) <= 0) return false;
    char c;
    return ::recv(fd_, &c, 1, MSG_PEEK) <= 0;
  }

 private:
  // true: the peer closed; false: `limit` passed or `enough` said so.
  template <class Enough>
  bool read_until(std::chrono::milliseconds limit, std::string* received, Enough enough) {
    auto until = std::chrono::steady_clock::now() + limit;
    char buf[4096];
    std::string local;
    auto& got = received ? *received : local;
    for (;;) {
      if (enough(got)) return false;
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
      if (left.count() <= 0) return false;
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
      auto n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) return true;  // EOF or reset: closed
      got.append(buf, static_cast<std::size_t>(n));
    }
  }

  int fd_ = -1;
};

// A plain listening socket on 127.0.0.1 (any free port), for a transport to dial.
class raw_listener {
 public:
  raw_listener() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd_ >= 0);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0);
    REQUIRE(::listen(fd_, 4) == 0);
    socklen_t len = sizeof sa;
    REQUIRE(::getsockname(fd_, reinterpret_cast<sockaddr*>(&sa), &len) == 0);
    address_ = "127.0.0.1:" + std::to_string(ntohs(sa.sin_port));
  }
  raw_listener(const raw_listener&) = delete;
  raw_listener& operator=(const raw_listener&) = delete;
  ~raw_listener() { ::close(fd_); }
  const std::string& address() const { return address_; }
  // Blocks until a connection arrives (the listen backlog holds one that came earlier).
  int accept() { return ::accept(fd_, nullptr, nullptr); }

 private:
  int fd_ = -1;
  std::string address_;
};

}  // namespace transport_test
