#include "codecs/json_codec.hpp"

#include <google/protobuf/util/json_util.h>

#include "codecs/content_type.hpp"
#include "codecs/limits.hpp"

namespace micro::codecs {

namespace pbutil = google::protobuf::util;

namespace {

// Whether arrays and objects nest deeper than `limit` (brackets inside strings do not count).
// One pass before parsing: nlohmann's parser has no depth limit of its own.
bool nested_deeper_than(std::string_view in, std::size_t limit) {
  std::size_t depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > limit) return true;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return false;
}

}  // namespace

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
  if (nested_deeper_than(in, max_depth)) {
    auto st = decode_error(value, "arrays and objects nested deeper than max_depth " + std::to_string(max_depth));
    st.code = errc::too_deep;
    return st;
  }
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
