#pragma once
// A hostile or broken peer for the guard tests: a plain TCP socket to a node's port that sends
// whatever bytes a test makes, including BASP (CAF 0.17's wire protocol) written by hand.
//
// BASP 0.17 header, 32 bytes, integers big-endian: operation (0 server handshake, 1 client
// handshake, 2 direct message, ... 6 heartbeat), two padding bytes, flags, payload length (u32),
// operation data (u64), source actor (u64), destination actor (u64). A node id, the first field
// of both handshakes' payloads, is 32 bytes: an atom (u64), a process id (u32), a 20-byte host id.

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <string>

namespace micro::test {

/// One BASP header.
std::string basp_header(uint8_t operation, uint32_t payload_len, uint64_t operation_data = 0,
                        uint64_t source_actor = 0, uint64_t dest_actor = 0);

class raw_peer {
 public:
  /// Connects to 127.0.0.1:port (blocking); throws std::runtime_error if it cannot.
  explicit raw_peer(uint16_t port);
  /// "host:port" such as "127.0.0.1:8080".
  explicit raw_peer(const std::string& address);
  ~raw_peer();
  raw_peer(raw_peer&& other) noexcept;
  raw_peer(const raw_peer&) = delete;
  raw_peer& operator=(const raw_peer&) = delete;
  raw_peer& operator=(raw_peer&&) = delete;

  /// This end's port: how the node's log names this connection ("127.0.0.1:<port>").
  uint16_t local_port() const noexcept { return local_port_; }

  /// Sends all of `bytes`; false if the node has closed the connection.
  bool send(const std::string& bytes);
  /// Reads exactly `n` bytes; "" on timeout or end of stream.
  std::string read_exactly(std::size_t n, std::chrono::milliseconds timeout);
  /// Reads and discards what arrived; true once the node has closed the connection (end of
  /// stream or reset). Does not wait.
  bool closed_by_node();
  /// Waits up to `timeout` for closed_by_node().
  bool wait_closed(std::chrono::milliseconds timeout);

  /// Reads the node's server handshake and answers with a client handshake of a made-up node
  /// (the server's node id with process id `pid`), as a CAF node would. False if it fails.
  bool handshake(uint32_t pid, std::chrono::milliseconds timeout);
  /// After handshake(): the node's id and the made-up one (32 bytes each, as on the wire).
  const std::string& node_id() const noexcept { return node_id_; }
  const std::string& own_node_id() const noexcept { return own_node_id_; }

 private:
  int fd_ = -1;
  uint16_t local_port_ = 0;
  bool closed_ = false;
  std::string node_id_;
  std::string own_node_id_;
};

/// Resident memory of `pid` in bytes (VmRSS of /proc/<pid>/status); -1 if unreadable.
long long rss_bytes(pid_t pid);
/// The highest resident memory `pid` has had, in bytes (VmHWM); -1 if unreadable.
long long peak_rss_bytes(pid_t pid);

/// Open file descriptors of `pid` (entries of /proc/<pid>/fd); -1 if unreadable.
long open_fds(pid_t pid);

}  // namespace micro::test
