#pragma once
// application/protobuf: the protobuf binary wire format, for protobuf messages only.
// Aliases: application/x-protobuf, application/x-proto, application/proto,
// application/vnd.google.protobuf.

#include "codecs/codec_interface.hpp"

namespace micro::codecs {

class protobuf_codec final : public codec {
 public:
  std::string_view content_type() const noexcept override;
  std::vector<std::string> aliases() const override;
  bool can_encode(const message_view& value) const noexcept override;
  bool can_decode(const mutable_message_view& value) const noexcept override;
  status encode(const message_view& value, std::string& out) const override;
  status decode(std::string_view in, const mutable_message_view& value) const override;
};

}  // namespace micro::codecs
