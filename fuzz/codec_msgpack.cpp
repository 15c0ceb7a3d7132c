// The msgpack codec's decode: body bytes from any peer, into C++ types adapted for msgpack (a
// struct, a map, a vector, a string). The first byte picks the target; what decodes is encoded
// again and must decode to the same value.
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "codecs/codec.hpp"
#include "fuzz/check.hpp"

namespace {

struct point {
  std::string name;
  int64_t x = 0;
  double y = 0;
  std::vector<std::string> tags;
  std::map<std::string, int> counts;
  bool operator==(const point& o) const {
    // NaN never equals itself: compare the bits that came in.
    return name == o.name && x == o.x && (y == o.y || (y != y && o.y != o.y)) && tags == o.tags && counts == o.counts;
  }
  MSGPACK_DEFINE(name, x, y, tags, counts);
};

template <class T>
void round_trip(std::string_view in) {
  namespace codecs = micro::codecs;
  T value{};
  if (!codecs::decode(codecs::content_type::msgpack, in, value))
    return;
  std::string out;
  FUZZ_CHECK(codecs::encode(codecs::content_type::msgpack, value, out).ok());
  T back{};
  FUZZ_CHECK(codecs::decode(codecs::content_type::msgpack, out, back).ok());
  FUZZ_CHECK(back == value);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0)
    return 0;
  std::string_view in{reinterpret_cast<const char*>(data) + 1, size - 1};
  switch (data[0] % 4) {
    case 0: round_trip<point>(in); break;
    case 1: round_trip<std::map<std::string, std::vector<int64_t>>>(in); break;
    case 2: round_trip<std::vector<std::string>>(in); break;
    default: round_trip<std::string>(in); break;
  }
  return 0;
}
