// The tcp transport's frame decoder: bytes from any peer, arriving in any pieces. The first byte
// picks how the rest is cut into reads (one read, fixed-size pieces, or pieces of the sizes the
// next bytes say), so the decoder's piecewise paths run too. Properties: it never buffers more
// than a header and one maximum body; the frames it returns encode back to the bytes consumed;
// cutting differently yields the same frames and the same error.
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz/check.hpp"
#include "transport/frame_codec.hpp"

namespace {

using namespace micro::transport;

constexpr std::size_t max_frame = 4096;  // small, so that "too large" is within reach

struct outcome {
  std::vector<frame> frames;
  status st;
  std::size_t consumed = 0;
};

outcome decode(const uint8_t* data, std::size_t size, uint8_t mode) {
  frame_decoder decoder{max_frame};
  outcome out;
  std::size_t pos = 0;
  std::size_t step = mode == 0 ? size : 1 + mode % 17;
  while (pos < size) {
    std::size_t n = std::min(step, size - pos);
    out.st = decoder.feed(reinterpret_cast<const char*>(data) + pos, n, out.frames);
    FUZZ_CHECK(decoder.buffered() <= frame_header_size + max_frame);
    if (!out.st)
      break;
    pos += n;
  }
  out.consumed = pos;
  if (out.st) {
    // A failed decoder stays failed; a healthy one takes nothing more without bytes.
    std::vector<frame> none;
    FUZZ_CHECK(decoder.feed(nullptr, 0, none).ok() && none.empty());
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0)
    return 0;
  uint8_t mode = data[0];
  ++data;
  --size;
  auto whole = decode(data, size, 0);
  auto cut = decode(data, size, static_cast<uint8_t>(mode | 1));
  FUZZ_CHECK(whole.st.code == cut.st.code);
  FUZZ_CHECK(whole.frames.size() == cut.frames.size());
  frame_codec codec{max_frame};
  std::string encoded;
  for (std::size_t i = 0; i < whole.frames.size(); ++i) {
    const auto& a = whole.frames[i];
    const auto& b = cut.frames[i];
    FUZZ_CHECK(a.kind == b.kind && a.flags == b.flags && a.id == b.id && a.body == b.body);
    FUZZ_CHECK(codec.encode(a, encoded).ok());
  }
  // The frames re-encode to a prefix of the input (what followed was a partial frame or garbage).
  FUZZ_CHECK(encoded.size() <= size);
  FUZZ_CHECK(encoded == std::string(reinterpret_cast<const char*>(data), encoded.size()));
  return 0;
}
