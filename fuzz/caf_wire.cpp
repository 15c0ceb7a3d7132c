// The payload of a BASP message on the caf transport, after the guard: CAF's binary
// deserializer reading micro's wire types (actors/wire.hpp) from bytes any peer that completed a
// handshake may send. The first byte picks the type. Properties: no crash, no allocation beyond
// what the bytes can hold (ASan's rss limit), and what decodes encodes to bytes that decode to
// the same value. Links CAF (the decoder is CAF's).
#include <cstdint>
#include <string>
#include <vector>

#include "actors/wire.hpp"
#include "caf/binary_deserializer.hpp"
#include "caf/binary_serializer.hpp"
#include "fuzz/check.hpp"

namespace {

using namespace micro::actors;

bool same(const request& a, const request& b) {
  return a.service == b.service && a.endpoint == b.endpoint && a.content_type == b.content_type &&
         a.accept == b.accept && a.metadata == b.metadata && a.timeout_ns == b.timeout_ns && a.body == b.body;
}
bool same(const response& a, const response& b) {
  return a.code == b.code && a.error_id == b.error_id && a.detail == b.detail && a.content_type == b.content_type &&
         a.metadata == b.metadata && a.body == b.body;
}
bool same(const publication& a, const publication& b) {
  return a.topic == b.topic && a.content_type == b.content_type && a.metadata == b.metadata && a.body == b.body &&
         a.targets == b.targets;
}
bool same(const std::vector<publication>& a, const std::vector<publication>& b) {
  if (a.size() != b.size())
    return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (!same(a[i], b[i]))
      return false;
  return true;
}
bool same(const publish_ack& a, const publish_ack& b) {
  return a.code == b.code && a.detail == b.detail && a.item_codes == b.item_codes;
}
bool same(const stream_frames& a, const stream_frames& b) { return a.items == b.items; }
bool same(const stream_end& a, const stream_end& b) {
  return a.code == b.code && a.error_id == b.error_id && a.detail == b.detail;
}

template <class T>
void round_trip(const char* data, std::size_t size) {
  T value{};
  caf::binary_deserializer source{nullptr, data, size};
  if (source(value))
    return;  // a caf::error: CAF drops the message
  std::vector<char> bytes;
  caf::binary_serializer sink{nullptr, bytes};
  FUZZ_CHECK(!sink(value));
  T back{};
  caf::binary_deserializer again{nullptr, bytes.data(), bytes.size()};
  FUZZ_CHECK(!again(back));
  FUZZ_CHECK(same(value, back));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0)
    return 0;
  const char* in = reinterpret_cast<const char*>(data) + 1;
  --size;
  switch (data[0] % 7) {
    case 0: round_trip<request>(in, size); break;
    case 1: round_trip<response>(in, size); break;
    case 2: round_trip<publication>(in, size); break;
    case 3: round_trip<std::vector<publication>>(in, size); break;
    case 4: round_trip<publish_ack>(in, size); break;
    case 5: round_trip<stream_frames>(in, size); break;
    default: round_trip<stream_end>(in, size); break;
  }
  return 0;
}
