#pragma once
// A body that is already encoded: it passes through every codec unchanged, like
// go-micro's bytes.Frame. For gateways, proxies and the CLI, which hold JSON or
// protobuf bytes they must forward without re-encoding. (A std::string, by contrast,
// is a value: JSON encodes it as a JSON string.)

#include <string>

namespace micro::codecs {

struct frame {
  std::string data;
};

}  // namespace micro::codecs
