#pragma once
// What one message may cost a codec. Bodies come from the network, so both bounds are checked
// before a decoder builds anything: a body over the size limit is errc::too_large, nesting past
// the depth limit errc::too_deep (both also for encode, where they apply).

#include <cstddef>

namespace micro::codecs {

// Bytes of one encoded message, per codec (codec_registry::set_max_message_size; the option
// codec_max_message_size sets it for every codec). The caf transport's default frame size, so a
// body that may cross between nodes is never refused by a codec for its size alone.
inline constexpr std::size_t default_max_message_size = std::size_t{16} << 20;

// Nesting of JSON arrays and objects and of msgpack arrays and maps. Decoding JSON into an
// nlohmann::json value copies it recursively: 200,000 '[' (400 KB) overflowed an 8 MiB stack
// and killed the process (fuzz/codec_json). Protobuf's own parsers stop at 100.
inline constexpr std::size_t max_depth = 256;

}  // namespace micro::codecs
