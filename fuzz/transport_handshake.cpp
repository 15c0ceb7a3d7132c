// The tcp transport's handshake as a listener sees it: the first frame a stranger sends must be a
// hello (or a goaway: the peer's reason), every later one anything but a second hello. Bytes go
// through the frame decoder, then the checks the connection applies (transport/handshake.hpp).
// Properties: only a hello with the magic body passes; a goaway's code is always one this node
// knows and its reason stays short.
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz/check.hpp"
#include "transport/frame_codec.hpp"
#include "transport/handshake.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace micro::transport;
  frame_decoder decoder{1024};
  std::vector<frame> frames;
  auto st = decoder.feed(reinterpret_cast<const char*>(data), size, frames);
  bool handshaken = false;
  for (const auto& f : frames) {
    if (!handshaken) {
      auto hello = check_hello(f);
      FUZZ_CHECK(hello.ok() == (f.kind == frame_kind::hello && f.body == handshake_magic));
      if (!hello) {
        FUZZ_CHECK(hello.code != errc::ok && std::string{to_string(hello.code)} != "unknown");
        FUZZ_CHECK(hello.message.size() <= 1100);
        return 0;
      }
      handshaken = true;
      continue;
    }
    if (f.kind == frame_kind::hello)
      return 0;  // a second hello: the connection closes with bad_frame
    if (f.kind == frame_kind::goaway) {
      auto bye = goaway_status(f, "peer closed");
      FUZZ_CHECK(bye.code != errc::ok && std::string{to_string(bye.code)} != "unknown");
      FUZZ_CHECK(bye.message.size() <= 1100);
      return 0;
    }
  }
  static_cast<void>(st);
  return 0;
}
