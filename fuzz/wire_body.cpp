// The envelope of every unary call over the byte transports (actors/wire_body): a request or a
// response body from any peer. The first byte picks which. Property: what decodes encodes into a
// body that decodes to the same message (metadata comes back sorted, so bytes may differ).
#include <cstdint>
#include <string>

#include "actors/wire_body.hpp"
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

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0)
    return 0;
  std::string_view body{reinterpret_cast<const char*>(data) + 1, size - 1};
  std::string again;
  if (data[0] & 1) {
    request req, back;
    if (!decode_request(body, req).ok())
      return 0;
    encode_request(req, again);
    FUZZ_CHECK(again.size() <= body.size());
    FUZZ_CHECK(decode_request(again, back).ok() && same(req, back));
  } else {
    response rsp, back;
    if (!decode_response(body, rsp).ok())
      return 0;
    encode_response(rsp, again);
    FUZZ_CHECK(again.size() <= body.size());
    FUZZ_CHECK(decode_response(again, back).ok() && same(rsp, back));
  }
  return 0;
}
