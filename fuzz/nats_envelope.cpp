// The NATS broker's envelope: a micro publication's content type and metadata travel as NATS
// headers, escaped (broker/nats.hpp); a subscriber reads headers any publisher on the server
// wrote. The input is "<subject>\n<header text>". Properties: decoding never fails, escaping
// round-trips for keys and values, and a subject check never throws.
#include <cstdint>
#include <string>

#include "broker/nats.hpp"
#include "fuzz/check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace micro::broker;
  std::string all{reinterpret_cast<const char*>(data), size};
  auto nl = all.find('\n');
  std::string subject = all.substr(0, nl);
  std::string text = nl == std::string::npos ? std::string{} : all.substr(nl + 1);
  static_cast<void>(check_subject(subject, false));
  static_cast<void>(check_subject(subject, true));
  auto decoded = decode_header_text(text);
  FUZZ_CHECK(decoded.size() <= text.size());
  for (bool is_key : {true, false}) {
    auto escaped = encode_header_text(text, is_key);
    FUZZ_CHECK(decode_header_text(escaped) == text);
    for (unsigned char c : escaped)
      FUZZ_CHECK(c >= 0x20 && c != 0x7f);
  }
  return 0;
}
