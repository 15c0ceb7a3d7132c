// The content type a peer names and the bytes codec: "<content type>\n<body>". The content type
// is looked up as a request's would be (case, parameters, aliases); the body is decoded into
// bytes and a pass-through frame. Bytes must come back unchanged.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "codecs/codec.hpp"
#include "fuzz/check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace codecs = micro::codecs;
  std::string_view all{reinterpret_cast<const char*>(data), size};
  auto nl = all.find('\n');
  std::string_view type = nl == std::string_view::npos ? all : all.substr(0, nl);
  std::string_view body = nl == std::string_view::npos ? std::string_view{} : all.substr(nl + 1);

  static_cast<void>(codecs::default_codecs().find(type));
  static_cast<void>(codecs::media_type(type));

  std::string text;
  auto st = codecs::decode(type, body, text);
  if (codecs::default_codecs().find(type) == codecs::default_codecs().find(codecs::content_type::octet_stream))
    FUZZ_CHECK(st.ok() && text == body);
  std::vector<uint8_t> raw;
  static_cast<void>(codecs::decode(codecs::content_type::octet_stream, body, raw));
  FUZZ_CHECK(raw.size() == body.size());
  codecs::frame frame;
  if (codecs::decode(type, body, frame))
    FUZZ_CHECK(frame.data == body);
  return 0;
}
