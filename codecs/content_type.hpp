#pragma once
// Content types of the built-in codecs and helpers to compare content types as
// they arrive on the wire ("Application/JSON; charset=utf-8").

#include <string>
#include <string_view>

namespace micro::codecs {

namespace content_type {
inline constexpr std::string_view protobuf = "application/protobuf";
inline constexpr std::string_view json = "application/json";
inline constexpr std::string_view msgpack = "application/msgpack";
inline constexpr std::string_view octet_stream = "application/octet-stream";
}  // namespace content_type

// The media type without parameters and surrounding blanks:
// " application/json ; charset=utf-8" -> "application/json". Case is kept.
std::string_view media_type(std::string_view content_type) noexcept;

// The media type lowered to ASCII lower case, for use as a map key.
std::string canonical_media_type(std::string_view content_type);

// True when both name the same media type, ignoring case and parameters.
bool same_media_type(std::string_view a, std::string_view b) noexcept;

}  // namespace micro::codecs
