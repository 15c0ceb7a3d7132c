// The JSON codec's decode: body bytes from any client (the CLI, the HTTP gateway, a peer), into
// the three kinds of target it supports: a protobuf message (protobuf's JSON parser), a plain
// nlohmann::json value and a C++ type with from_json. The first byte picks the target. What
// decodes is encoded again (the answer path), which must not crash either. Numbers go into
// doubles: nlohmann's from_json casts a double to an integer type unchecked, undefined for 1e300
// (a finding in nlohmann 3.11.2 itself, see README "Security"), and UBSan would stop there.
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "codecs/codec.hpp"
#include "fuzz.pb.h"

namespace {

template <class T>
void round_trip(std::string_view in) {
  namespace codecs = micro::codecs;
  T value{};
  if (!codecs::decode(codecs::content_type::json, in, value))
    return;
  std::string out;
  static_cast<void>(codecs::encode(codecs::content_type::json, value, out));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0)
    return 0;
  std::string_view in{reinterpret_cast<const char*>(data) + 1, size - 1};
  switch (data[0] % 4) {
    case 0: round_trip<micro::fuzz::Sample>(in); break;
    case 1: round_trip<nlohmann::json>(in); break;
    case 2: round_trip<std::map<std::string, std::vector<double>>>(in); break;
    default: round_trip<std::vector<std::string>>(in); break;
  }
  return 0;
}
