#pragma once
// Numbered stream messages, shared by the stream tests and their server: a body of `size` bytes
// (at least 8) that starts with its sequence number, so order and completeness can be checked.

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>

namespace micro::test {

inline std::string numbered(uint64_t seq, std::size_t size) {
  std::string body(std::max(size, sizeof seq), 'x');
  std::memcpy(body.data(), &seq, sizeof seq);
  return body;
}

inline uint64_t sequence_of(const std::string& body) {
  uint64_t seq = 0;
  std::memcpy(&seq, body.data(), std::min(body.size(), sizeof seq));
  return seq;
}

}  // namespace micro::test
