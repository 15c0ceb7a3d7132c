// bench-tcp-floor-server: the floor under every unary figure. Echoes the bytes it reads on each
// loopback connection (a thread per connection, blocking sockets, TCP_NODELAY), with no framing,
// codec or dispatch at all. Prints "listening PORT" and serves until SIGTERM/SIGINT.
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <thread>

namespace {

void echo(int fd) {
  char buf[65536];
  for (;;) {
    auto n = read(fd, buf, sizeof buf);
    if (n <= 0)
      break;
    for (ssize_t off = 0; off < n;) {
      auto w = write(fd, buf + off, static_cast<std::size_t>(n - off));
      if (w <= 0) {
        close(fd);
        return;
      }
      off += w;
    }
  }
  close(fd);
}

void accept_loop(int listener) {
  for (;;) {
    int fd = accept(listener, nullptr, nullptr);
    if (fd < 0)
      continue;
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    std::thread{echo, fd}.detach();
  }
}

}  // namespace

int main() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);

  int listener = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (listener < 0 || bind(listener, reinterpret_cast<sockaddr*>(&addr), len) != 0 || listen(listener, 64) != 0 ||
      getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    std::perror("bench-tcp-floor-server");
    return 1;
  }
  std::cout << "listening " << ntohs(addr.sin_port) << std::endl;
  std::thread{accept_loop, listener}.detach();
  int sig = 0;
  sigwait(&set, &sig);
  return 0;
}
