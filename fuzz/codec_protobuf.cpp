// The protobuf codec's decode: body bytes of a request from any peer, into a message with every
// field shape. What decodes must encode again and decode to the same message.
#include <cstdint>
#include <string>
#include <string_view>

#include <google/protobuf/util/field_comparator.h>
#include <google/protobuf/util/message_differencer.h>

#include "codecs/codec.hpp"
#include "fuzz.pb.h"
#include "fuzz/check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace codecs = micro::codecs;
  std::string_view in{reinterpret_cast<const char*>(data), size};
  micro::fuzz::Sample msg;
  if (!codecs::decode(codecs::content_type::protobuf, in, msg))
    return 0;
  std::string again;
  FUZZ_CHECK(codecs::encode(codecs::content_type::protobuf, msg, again).ok());
  micro::fuzz::Sample back;
  FUZZ_CHECK(codecs::decode(codecs::content_type::protobuf, again, back).ok());
  // NaN is a value a double field may carry: equal to itself here.
  google::protobuf::util::DefaultFieldComparator comparator;
  comparator.set_treat_nan_as_equal(true);
  google::protobuf::util::MessageDifferencer differencer;
  differencer.set_field_comparator(&comparator);
  FUZZ_CHECK(differencer.Compare(msg, back));
  // JSON of a decoded message must not fail either (the gateway turns protobuf bodies into JSON).
  std::string json;
  static_cast<void>(codecs::encode(codecs::content_type::json, msg, json));
  return 0;
}
