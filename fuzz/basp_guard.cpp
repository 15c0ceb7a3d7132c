// The caf transport's BASP guard: the header check it applies to every chunk a BASP connection
// receives before CAF's BASP broker sees it (actors/basp_header.hpp). The input is a byte stream
// read the way CAF reads it: a 32-byte header, then exactly the payload it announced. The first
// byte says inbound or outbound and the frame limit. Properties: no chunk the guard lets through
// announces more than the limit (or 64 KiB before the handshake), and the first one let through
// is the handshake the direction expects.
#include <cstdint>
#include <string>

#include "actors/basp_header.hpp"
#include "fuzz/check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace micro::actors;
  if (size == 0)
    return 0;
  basp_header_rules rules;
  rules.inbound = (data[0] & 1) != 0;
  rules.max_frame_size = (data[0] & 2) != 0 ? 1024u : (16u << 20);
  ++data;
  --size;
  std::size_t pos = 0;
  while (pos < size) {
    std::size_t chunk = std::min(basp_header_size, size - pos);
    auto why = check_basp_header(data + pos, chunk, rules);
    if (!why.empty())
      return 0;  // the guard closes the connection
    FUZZ_CHECK(chunk == basp_header_size);
    auto len = basp_payload_length(data + pos);
    FUZZ_CHECK(len <= rules.max_frame_size);
    if (!rules.handshaken) {
      FUZZ_CHECK(len <= basp_handshake_frame_limit);
      FUZZ_CHECK(data[pos] == (rules.inbound ? 1 : 0));
    }
    pos += chunk + len;
    rules.handshaken = true;  // CAF took the handshake (it closes on a bad one)
  }
  return 0;
}
