#include "codecs/codec_interface.hpp"

namespace micro::codecs {

namespace {

std::string join(std::initializer_list<std::string_view> parts) {
  std::string result;
  for (auto part : parts) result += part;
  return result;
}

}  // namespace

status encode_error(std::string_view content_type, std::string_view type_name, std::string_view reason) {
  return status::error(errc::encode_failed,
                       join({"cannot encode ", type_name, " as ", content_type, ": ", reason}));
}

status decode_error(std::string_view content_type, std::string_view type_name, std::string_view reason) {
  return status::error(errc::undecodable,
                       join({"cannot decode ", content_type, " into ", type_name, ": ", reason}));
}

status unsupported_error(std::string_view content_type, std::string_view verb, std::string_view type_name) {
  return status::error(errc::unsupported_type, join({"codec ", content_type, " cannot ", verb, " ", type_name}));
}

status codec::encode_error(const message_view& value, std::string_view reason) const {
  return codecs::encode_error(content_type(), value.type_name(), reason);
}

status codec::decode_error(const mutable_message_view& value, std::string_view reason) const {
  return codecs::decode_error(content_type(), value.type_name(), reason);
}

}  // namespace micro::codecs
