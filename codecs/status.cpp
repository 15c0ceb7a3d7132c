#include "codecs/status.hpp"

namespace micro::codecs {

const char* to_string(errc code) noexcept {
  switch (code) {
    case errc::ok: return "ok";
    case errc::unknown_content_type: return "unknown_content_type";
    case errc::undecodable: return "undecodable";
    case errc::unsupported_type: return "unsupported_type";
    case errc::encode_failed: return "encode_failed";
    case errc::too_large: return "too_large";
    case errc::too_deep: return "too_deep";
  }
  return "unknown_error";
}

}  // namespace micro::codecs
