#pragma once
// The outcome of an encode or decode: a code to branch on and a message for people.
// Codecs never throw; they report through this.

#include <string>
#include <utility>

namespace micro::codecs {

enum class errc {
  ok = 0,
  unknown_content_type,  // no codec registered for the content type
  undecodable,           // the input is malformed or does not fit the target type
  unsupported_type,      // the codec cannot handle this C++ type at all
  encode_failed,         // the value could not be encoded (e.g. invalid UTF-8 for JSON)
  too_large,             // more bytes than the codec's max message size (codecs/limits.hpp)
  too_deep,              // arrays/objects nested deeper than codecs::max_depth
};

const char* to_string(errc code) noexcept;

struct status {
  errc code = errc::ok;
  std::string message;  // names the content type and the type; empty when ok

  bool ok() const noexcept { return code == errc::ok; }
  explicit operator bool() const noexcept { return ok(); }

  static status success() { return {}; }
  static status error(errc code, std::string message) { return {code, std::move(message)}; }
};

}  // namespace micro::codecs
