// base64 as etcd's gateway carries every key and value (registry/base64). Strict decoding: only
// canonical padded base64 decodes, so encode(decode(x)) == x for every x that decodes.
#include <cstdint>
#include <string>

#include "fuzz/check.hpp"
#include "registry/base64.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace micro::registry;
  std::string text{reinterpret_cast<const char*>(data), size};
  if (auto bytes = base64_decode(text)) {
    FUZZ_CHECK(base64_encode(*bytes) == text);
  }
  auto encoded = base64_encode(text);
  auto back = base64_decode(encoded);
  FUZZ_CHECK(back.has_value() && *back == text);
  return 0;
}
