#pragma once
// application/json. Protobuf messages use protobuf's canonical JSON mapping; every
// other type goes through nlohmann::json (to_json/from_json).
// Aliases: text/json, application/x-json.
//
// Protobuf choices (see codecs/README.md): fields print under their proto names
// ("user_id", not "userId"; both are accepted when parsing), fields at their default
// value are omitted (proto3 JSON's default), and unknown fields are ignored when
// parsing, as binary protobuf does, so an older server accepts a newer client.

#include "codecs/codec_interface.hpp"

namespace micro::codecs {

class json_codec final : public codec {
 public:
  std::string_view content_type() const noexcept override;
  std::vector<std::string> aliases() const override;
  bool can_encode(const message_view& value) const noexcept override;
  bool can_decode(const mutable_message_view& value) const noexcept override;
  status encode(const message_view& value, std::string& out) const override;
  status decode(std::string_view in, const mutable_message_view& value) const override;
};

}  // namespace micro::codecs
