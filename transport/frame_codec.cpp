#include "transport/frame_codec.hpp"

#include <algorithm>

namespace micro::transport {

namespace {

void put_be(std::string& out, uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i)
    out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

uint64_t get_be(const char* p, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i)
    v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

}  // namespace

status frame_codec::encode(const frame& f, std::string& out) const {
  if (f.body.size() > max_frame_size_)
    return status::error(errc::frame_too_large, "frame of " + std::to_string(f.body.size())
                                                  + " bytes, limit " + std::to_string(max_frame_size_));
  out.reserve(out.size() + frame_header_size + f.body.size());
  put_be(out, f.body.size(), 4);
  out.push_back(static_cast<char>(protocol_version));
  out.push_back(static_cast<char>(f.kind));
  put_be(out, f.flags, 2);
  put_be(out, f.id, 8);
  out.append(f.body);
  return {};
}

status frame_codec::decode_header(const char* bytes, frame_header& h) const {
  h.length = static_cast<uint32_t>(get_be(bytes, 4));
  h.version = static_cast<uint8_t>(bytes[4]);
  auto kind = static_cast<uint8_t>(bytes[5]);
  h.flags = static_cast<uint16_t>(get_be(bytes + 6, 2));
  h.id = get_be(bytes + 8, 8);
  if (h.version != protocol_version)
    return status::error(errc::bad_version, "frame of protocol version " + std::to_string(h.version)
                                              + ", this node speaks " + std::to_string(protocol_version));
  if (kind == 0 || kind > max_frame_kind)
    return status::error(errc::bad_frame, "unknown frame kind " + std::to_string(kind));
  h.kind = static_cast<frame_kind>(kind);
  if (h.length > max_frame_size_)
    return status::error(errc::frame_too_large, "header claims " + std::to_string(h.length)
                                                  + " bytes, limit " + std::to_string(max_frame_size_));
  return {};
}

status frame_decoder::feed(const char* data, std::size_t n, std::vector<frame>& out) {
  if (failed_)
    return status::error(errc::bad_frame, "decoder already failed");
  while (n > 0) {
    if (!have_header_) {
      if (header_buf_.empty() && n >= frame_header_size) {
        // The common case: the whole header is in this read.
        if (auto st = codec_.decode_header(data, header_); !st) {
          failed_ = true;
          return st;
        }
        data += frame_header_size;
        n -= frame_header_size;
      } else {
        auto take = std::min(n, frame_header_size - header_buf_.size());
        header_buf_.append(data, take);
        data += take;
        n -= take;
        if (header_buf_.size() < frame_header_size)
          return {};
        if (auto st = codec_.decode_header(header_buf_.data(), header_); !st) {
          failed_ = true;
          return st;
        }
        header_buf_.clear();
      }
      have_header_ = true;
      body_.clear();
    }
    auto take = std::min<std::size_t>(n, header_.length - body_.size());
    if (body_.empty() && take == header_.length) {
      // Whole body at hand: one copy straight into the frame.
      out.push_back(frame{header_.kind, header_.flags, header_.id, std::string(data, take)});
    } else {
      body_.append(data, take);  // grows to at most the checked length
      if (body_.size() < header_.length) {
        return {};
      }
      out.push_back(frame{header_.kind, header_.flags, header_.id, std::move(body_)});
      body_ = std::string{};
    }
    data += take;
    n -= take;
    have_header_ = false;
  }
  return {};
}

}  // namespace micro::transport
