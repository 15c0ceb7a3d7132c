#pragma once
// A real etcd for tests: its own data directory (removed at the end), client and peer ports on
// 127.0.0.1 picked free, awaited until it serves (bounded), stopped by PID. restart() keeps the
// data (an etcd restart), wipe() starts afresh (a new cluster: every key and lease gone).

#include <chrono>
#include <memory>
#include <string>

#include "process.hpp"

namespace micro::test {

/// The etcd binary: $ETCD, else PATH, /usr/bin, /usr/sbin. Empty if there is none.
std::string find_etcd();

class etcd_server {
 public:
  /// `host`: the address it listens on for clients (127.0.0.1; a namespace's address in the
  /// multi-host tests). Peers always on 127.0.0.1.
  explicit etcd_server(std::string host = "127.0.0.1");
  ~etcd_server();
  etcd_server(const etcd_server&) = delete;
  etcd_server& operator=(const etcd_server&) = delete;

  std::string url() const { return "http://" + host_ + ":" + std::to_string(client_port_); }
  int client_port() const noexcept { return client_port_; }

  void stop();     // SIGTERM, bounded wait, then SIGKILL
  void start();    // with the data it has
  void restart() { stop(); start(); }
  void wipe();     // stop, delete the data, start
  std::string transcript();

 private:
  std::unique_ptr<process> proc_;
  std::string dir_;
  std::string host_;
  int client_port_ = 0;
  int peer_port_ = 0;
};

}  // namespace micro::test
