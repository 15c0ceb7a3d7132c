#include "codecs/json_codec.hpp"

#include <google/protobuf/util/json_util.h>

#include "codecs/content_type.hpp"

namespace micro::codecs {

namespace pbutil = google::protobuf::util;

std::string_view json_codec::content_type() const noexcept { return content_type::json; }

std::vector<std::string> json_codec::aliases() const { return {"text/json", "application/x-json"}; }

bool json_codec::can_encode(const message_view& value) const noexcept {
  return value.protobuf() != nullptr || value.has_json();
}

bool json_codec::can_decode(const mutable_message_view& value) const noexcept {
  return value.protobuf() != nullptr || value.has_json();
}

status json_codec::encode(const message_view& value, std::string& out) const {
  if (const auto* msg = value.protobuf()) {
    pbutil::JsonPrintOptions options;
    options.preserve_proto_field_names = true;
    options.always_print_primitive_fields = false;
    auto st = pbutil::MessageToJsonString(*msg, &out, options);
    if (!st.ok()) return encode_error(value, st.ToString());
    return status::success();
  }
  try {
    nlohmann::json j;
    value.to_json(j);
    // strict: invalid UTF-8 is an error, not silently replaced.
    out = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::strict);
    return status::success();
  } catch (const std::exception& e) {
    return encode_error(value, e.what());
  }
}

status json_codec::decode(std::string_view in, const mutable_message_view& value) const {
  if (auto* msg = value.protobuf()) {
    pbutil::JsonParseOptions options;
    options.ignore_unknown_fields = true;
    auto st = pbutil::JsonStringToMessage(google::protobuf::StringPiece(in.data(), in.size()), msg, options);
    if (!st.ok()) return decode_error(value, st.ToString());
    return status::success();
  }
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(in.begin(), in.end());
  } catch (const std::exception& e) {
    return decode_error(value, e.what());
  }
  try {
    value.from_json(j);
  } catch (const std::exception& e) {
    return decode_error(value, std::string("JSON does not match the type: ") + e.what());
  }
  return status::success();
}

}  // namespace micro::codecs
