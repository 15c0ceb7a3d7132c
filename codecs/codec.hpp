#pragma once
// The typed entry points: encode a C++ value into body bytes for a content type,
// and decode body bytes into a C++ value. Include this header to use codecs.
//
//   std::string body;
//   if (auto st = micro::codecs::encode("application/json", request, body); !st)
//     log(st.message);
//
// They never throw: unknown content types, type/codec mismatches, malformed input
// and exceptions thrown inside codecs all come back as a status. On failure `out` is
// empty; a decode target is left valid but with unspecified content.

#include <string>
#include <string_view>
#include <type_traits>

#include "codecs/bytes_codec.hpp"
#include "codecs/codec_interface.hpp"
#include "codecs/content_type.hpp"
#include "codecs/frame.hpp"
#include "codecs/json_codec.hpp"
#include "codecs/message_view.hpp"
#include "codecs/msgpack_codec.hpp"
#include "codecs/protobuf_codec.hpp"
#include "codecs/registry.hpp"
#include "codecs/status.hpp"
#include "codecs/traits.hpp"
#include "codecs/type_name.hpp"

namespace micro::codecs {

// The type-erased cores of encode/decode, for callers that already hold a view.
status encode_message(const codec_registry& registry, std::string_view content_type, const message_view& value,
                      std::string& out);
status decode_message(const codec_registry& registry, std::string_view content_type, std::string_view in,
                      const mutable_message_view& value);

template <class T>
status encode(const codec_registry& registry, std::string_view content_type, const T& value, std::string& out) {
  if constexpr (std::is_same_v<T, message_view>)
    return encode_message(registry, content_type, value, out);
  else
    return encode_message(registry, content_type, message_view(value), out);
}

template <class T>
status decode(const codec_registry& registry, std::string_view content_type, std::string_view in, T& value) {
  static_assert(!std::is_const_v<T>, "cannot decode into a const value");
  return decode_message(registry, content_type, in, mutable_message_view(value));
}

template <class T>
status encode(std::string_view content_type, const T& value, std::string& out) {
  return encode(default_codecs(), content_type, value, out);
}

template <class T>
status decode(std::string_view content_type, std::string_view in, T& value) {
  return decode(default_codecs(), content_type, in, value);
}

// The content type a built-in codec would pick for T: protobuf messages ->
// protobuf; byte containers -> octet-stream; JSON-convertible -> json;
// msgpack-adapted -> msgpack; frame -> octet-stream. Empty when no built-in codec
// supports T (a user codec may still).
template <class T>
constexpr std::string_view default_content_type() noexcept {
  if constexpr (is_protobuf_message_v<T>)
    return content_type::protobuf;
  else if constexpr (is_bytes_v<T> || std::is_same_v<T, frame>)
    return content_type::octet_stream;
  else if constexpr (is_json_encodable_v<T> || is_json_decodable_v<T>)
    return content_type::json;
  else if constexpr (is_msgpack_adapted_v<T>)
    return content_type::msgpack;
  else
    return {};
}

}  // namespace micro::codecs
