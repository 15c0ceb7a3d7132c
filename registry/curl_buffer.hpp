// What libcurl receives from etcd, bounded: the etcd client's answers and the watch stream both
// come from the network, so neither may grow without limit.
#pragma once

#include <cstddef>
#include <string>

namespace micro::registry {

struct bounded_buffer {
  std::string data;
  std::size_t limit = 0;
  bool overflow = false;  // set when a write would pass `limit`; curl then fails the transfer
};

// A CURLOPT_WRITEFUNCTION for a bounded_buffer (CURLOPT_WRITEDATA).
inline std::size_t append_bounded(char* ptr, std::size_t size, std::size_t n, void* user) {
  auto* buf = static_cast<bounded_buffer*>(user);
  const auto bytes = size * n;
  if (buf->data.size() + bytes > buf->limit) {
    buf->overflow = true;
    return 0;  // makes curl fail with CURLE_WRITE_ERROR
  }
  buf->data.append(ptr, bytes);
  return bytes;
}

}  // namespace micro::registry
