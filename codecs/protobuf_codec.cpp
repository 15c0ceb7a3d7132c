#include "codecs/protobuf_codec.hpp"

#include <climits>

#include "codecs/content_type.hpp"

namespace micro::codecs {

std::string_view protobuf_codec::content_type() const noexcept { return content_type::protobuf; }

std::vector<std::string> protobuf_codec::aliases() const {
  return {"application/x-protobuf", "application/x-proto", "application/proto", "application/vnd.google.protobuf"};
}

bool protobuf_codec::can_encode(const message_view& value) const noexcept { return value.protobuf() != nullptr; }

bool protobuf_codec::can_decode(const mutable_message_view& value) const noexcept {
  return value.protobuf() != nullptr;
}

status protobuf_codec::encode(const message_view& value, std::string& out) const {
  const auto& msg = *value.protobuf();
  // Checked here rather than left to SerializeToString, which only logs the reason.
  if (!msg.IsInitialized()) return encode_error(value, "missing required fields: " + msg.InitializationErrorString());
  if (msg.ByteSizeLong() > static_cast<std::size_t>(INT_MAX)) return encode_error(value, "message exceeds 2 GiB");
  if (!msg.SerializeToString(&out)) return encode_error(value, "serialization failed");
  return status::success();
}

status protobuf_codec::decode(std::string_view in, const mutable_message_view& value) const {
  auto& msg = *value.protobuf();
  if (in.size() > static_cast<std::size_t>(INT_MAX)) return decode_error(value, "input exceeds 2 GiB");
  // Partial parse + explicit check: a missing proto2 required field gets named
  // instead of being logged to stderr by ParseFromArray.
  if (!msg.ParsePartialFromArray(in.empty() ? "" : in.data(), static_cast<int>(in.size())))
    return decode_error(value, "malformed protobuf data (truncated or corrupt, " + std::to_string(in.size()) +
                                   " bytes)");
  if (!msg.IsInitialized()) return decode_error(value, "missing required fields: " + msg.InitializationErrorString());
  return status::success();
}

}  // namespace micro::codecs
