#pragma once
// application/msgpack: MessagePack through msgpack-c, for msgpack-adapted types
// (MSGPACK_DEFINE, standard containers and scalars, or msgpack_adapted<T> opt-in).
// Aliases: application/x-msgpack, application/vnd.msgpack.
//
// Decoding takes exactly one msgpack value: trailing bytes are an error, and the
// sizes the input may claim are bounded by its length, so a 5-byte body cannot make
// the parser allocate gigabytes.

#include "codecs/codec_interface.hpp"

namespace micro::codecs {

class msgpack_codec final : public codec {
 public:
  std::string_view content_type() const noexcept override;
  std::vector<std::string> aliases() const override;
  bool can_encode(const message_view& value) const noexcept override;
  bool can_decode(const mutable_message_view& value) const noexcept override;
  status encode(const message_view& value, std::string& out) const override;
  status decode(std::string_view in, const mutable_message_view& value) const override;
};

}  // namespace micro::codecs
