#include "codecs/bytes_codec.hpp"

#include "codecs/content_type.hpp"

namespace micro::codecs {

std::string_view bytes_codec::content_type() const noexcept { return content_type::octet_stream; }

bool bytes_codec::can_encode(const message_view& value) const noexcept { return value.has_bytes(); }

bool bytes_codec::can_decode(const mutable_message_view& value) const noexcept { return value.has_bytes(); }

status bytes_codec::encode(const message_view& value, std::string& out) const {
  out.assign(value.bytes());
  return status::success();
}

status bytes_codec::decode(std::string_view in, const mutable_message_view& value) const {
  value.assign_bytes(in);
  return status::success();
}

}  // namespace micro::codecs
