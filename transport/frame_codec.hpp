#pragma once
// Frames to bytes and back. The decoder is incremental (bytes arrive in any pieces) and bounded:
// it checks each header (version, kind, length against the maximum) before buffering its body,
// so garbage or a huge length prefix is a coded error, never an allocation of the claimed size.

#include <cstddef>
#include <string>
#include <vector>

#include "transport/frame.hpp"
#include "transport/status.hpp"

namespace micro::transport {

class frame_codec {
 public:
  explicit frame_codec(std::size_t max_frame_size) : max_frame_size_{max_frame_size} {}

  std::size_t max_frame_size() const noexcept { return max_frame_size_; }

  // Appends the header and body of `f` to `out`; frame_too_large if the body exceeds the maximum.
  status encode(const frame& f, std::string& out) const;
  // Parses a header (frame_header_size bytes); bad_version, bad_frame or frame_too_large when
  // it is not one this node accepts.
  status decode_header(const char* bytes, frame_header& out) const;

 private:
  std::size_t max_frame_size_;
};

class frame_decoder {
 public:
  explicit frame_decoder(std::size_t max_frame_size) : codec_{max_frame_size} {}

  // Consumes `n` bytes and appends every frame they complete to `out`. An error is final: the
  // stream of bytes cannot be resynchronised, the connection must close.
  status feed(const char* data, std::size_t n, std::vector<frame>& out);
  // True while a frame is half received (a header or body in pieces).
  bool mid_frame() const noexcept { return !header_buf_.empty() || have_header_; }
  // Bytes held for the frame in progress: never more than header + max_frame_size.
  std::size_t buffered() const noexcept { return header_buf_.size() + body_.size(); }

 private:
  frame_codec codec_;
  std::string header_buf_;  // a header arriving in pieces
  bool have_header_ = false;
  frame_header header_;
  std::string body_;
  bool failed_ = false;
};

}  // namespace micro::transport
