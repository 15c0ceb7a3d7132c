#include "codecs/codec.hpp"

namespace micro::codecs {

namespace {

status unknown_content_type(const codec_registry& registry, std::string_view content_type) {
  std::string message = media_type(content_type).empty()
                            ? std::string("missing content type")
                            : "unknown content type \"" + std::string(content_type) + "\"";
  message += "; supported: ";
  auto types = registry.content_types();
  if (types.empty()) message += "none";
  for (std::size_t i = 0; i < types.size(); ++i) message += (i ? ", " : "") + types[i];
  return status::error(errc::unknown_content_type, std::move(message));
}

status too_large(std::string_view verb, std::string_view content_type, std::size_t size, std::size_t limit) {
  return status::error(errc::too_large, std::string("cannot ") + std::string(verb) + " " + std::to_string(size) +
                                            " bytes of " + std::string(content_type) + ": more than its limit of " +
                                            std::to_string(limit) + " bytes (codec_max_message_size)");
}

}  // namespace

status encode_message(const codec_registry& registry, std::string_view content_type, const message_view& value,
                      std::string& out) {
  out.clear();
  status result;
  try {
    auto [c, limit] = registry.find_with_limit(content_type);
    if (!c) return unknown_content_type(registry, content_type);
    if (const auto* raw = value.get_if<frame>()) {
      if (raw->data.size() > limit) return too_large("encode", c->content_type(), raw->data.size(), limit);
      out = raw->data;
      return status::success();
    }
    if (!c->can_encode(value)) return unsupported_error(c->content_type(), "encode", value.type_name());
    try {
      result = c->encode(value, out);
    } catch (const std::exception& e) {
      result = encode_error(c->content_type(), value.type_name(), e.what());
    } catch (...) {
      result = encode_error(c->content_type(), value.type_name(), "unknown exception");
    }
    // Refused here, with a code, rather than by the receiver's transport or codec.
    if (result && out.size() > limit) result = too_large("encode", c->content_type(), out.size(), limit);
  } catch (const std::exception& e) {  // allocation failures while building messages
    result = status::error(errc::encode_failed, e.what());
  }
  if (!result) out.clear();
  return result;
}

status decode_message(const codec_registry& registry, std::string_view content_type, std::string_view in,
                      const mutable_message_view& value) {
  try {
    auto [c, limit] = registry.find_with_limit(content_type);
    if (!c) return unknown_content_type(registry, content_type);
    if (in.size() > limit) return too_large("decode", c->content_type(), in.size(), limit);
    if (auto* raw = value.get_if<frame>()) {
      raw->data.assign(in);
      return status::success();
    }
    if (!c->can_decode(value)) return unsupported_error(c->content_type(), "decode into", value.type_name());
    try {
      return c->decode(in, value);
    } catch (const std::exception& e) {
      return decode_error(c->content_type(), value.type_name(), e.what());
    } catch (...) {
      return decode_error(c->content_type(), value.type_name(), "unknown exception");
    }
  } catch (const std::exception& e) {
    return status::error(errc::undecodable, e.what());
  }
}

}  // namespace micro::codecs
