#pragma once
// application/octet-stream: the body is the value's bytes, unchanged. Works with
// std::string, std::vector<char|unsigned char|std::byte> and (encode only)
// std::string_view. No aliases.

#include "codecs/codec_interface.hpp"

namespace micro::codecs {

class bytes_codec final : public codec {
 public:
  std::string_view content_type() const noexcept override;
  bool can_encode(const message_view& value) const noexcept override;
  bool can_decode(const mutable_message_view& value) const noexcept override;
  status encode(const message_view& value, std::string& out) const override;
  status decode(std::string_view in, const mutable_message_view& value) const override;
};

}  // namespace micro::codecs
