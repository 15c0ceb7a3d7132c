// bench-tcp-floor-client PORT INFLIGHT PAYLOAD CALLS: the floor's client. One loopback connection
// (like micro's and gRPC's one connection per peer), requests pipelined up to INFLIGHT deep;
// each response is the same number of bytes as its request, so no framing is needed. Prints the
// same JSON line as bench-rpc-client.
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "bench/stats.hpp"

namespace {

using steady = std::chrono::steady_clock;

int connect_loopback(uint16_t port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  if (fd < 0 || (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 && errno != EINPROGRESS))
    return -1;
  pollfd p{fd, POLLOUT, 0};
  int err = 0;
  socklen_t len = sizeof err;
  if (poll(&p, 1, 5000) != 1 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0)
    return -1;
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

// Sends while fewer than `inflight` requests are outstanding, reads whatever has arrived, and
// polls only when neither can progress. Returns false on a socket error.
bool run(int fd, std::size_t inflight, std::size_t payload, std::size_t calls, std::vector<int64_t>& latencies) {
  std::string out(payload, 'x');
  std::vector<char> in(65536);
  std::vector<steady::time_point> sent_at(inflight);  // outstanding requests never exceed inflight
  std::size_t started = 0, finished = 0, written = 0, received = 0;
  while (finished < calls) {
    bool progress = false;
    while (started < calls && started - finished < inflight) {
      if (written == 0)
        sent_at[started % inflight] = steady::now();
      auto n = send(fd, out.data() + written, payload - written, MSG_NOSIGNAL);
      if (n < 0 && errno == EAGAIN)
        break;
      if (n <= 0)
        return false;
      progress = true;
      written += static_cast<std::size_t>(n);
      if (written == payload) {
        written = 0;
        ++started;
      }
    }
    for (;;) {
      auto n = recv(fd, in.data(), in.size(), 0);
      if (n < 0 && errno == EAGAIN)
        break;
      if (n <= 0)
        return false;
      progress = true;
      for (received += static_cast<std::size_t>(n); received >= payload; received -= payload, ++finished)
        latencies.push_back(
            std::chrono::duration_cast<std::chrono::nanoseconds>(steady::now() - sent_at[finished % inflight]).count());
    }
    if (!progress) {
      bool can_send = started < calls && started - finished < inflight;
      pollfd p{fd, static_cast<short>(POLLIN | (can_send ? POLLOUT : 0)), 0};
      if (poll(&p, 1, 5000) != 1)
        return false;
    }
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5) {
    std::cerr << "usage: bench-tcp-floor-client PORT INFLIGHT PAYLOAD_BYTES CALLS\n";
    return 2;
  }
  int fd = connect_loopback(static_cast<uint16_t>(std::stoul(argv[1])));
  bench::unary_run spec{"tcp", std::stoul(argv[2]), std::stoul(argv[3]), std::stoul(argv[4]), 0};
  if (fd < 0 || spec.inflight == 0 || spec.payload == 0) {
    std::perror("bench-tcp-floor-client");
    return 1;
  }
  std::vector<int64_t> warm;  // warm-up: as the other clients do
  std::vector<int64_t> latencies;
  latencies.reserve(spec.calls);
  bool ok = run(fd, spec.inflight, spec.payload, std::max(spec.calls / 10, spec.inflight), warm);
  auto t0 = steady::now();
  ok = ok && run(fd, spec.inflight, spec.payload, spec.calls, latencies);
  double elapsed = std::chrono::duration<double>(steady::now() - t0).count();
  spec.failed = ok ? 0 : spec.calls - latencies.size();
  bench::print_json(std::cout, spec, bench::summarize(std::move(latencies), elapsed));
  close(fd);
  return ok ? 0 : 1;
}
