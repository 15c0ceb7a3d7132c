#pragma once
// The codec interface: one codec per content type, turning message views into body
// bytes and back. Implement it to add a content type (see tests/codecs for a
// text/plain example) and add it to a codec_registry.

#include <string>
#include <string_view>
#include <vector>

#include "codecs/message_view.hpp"
#include "codecs/status.hpp"

namespace micro::codecs {

class codec {
 public:
  virtual ~codec() = default;

  // The canonical media type, lower case, without parameters ("application/json").
  virtual std::string_view content_type() const noexcept = 0;

  // Other media types this codec answers to ("application/x-protobuf"). Read once,
  // when the codec is added to a registry.
  virtual std::vector<std::string> aliases() const { return {}; }

  // Whether this codec can handle the value's type at all. When false, the entry
  // points report errc::unsupported_type without calling encode/decode.
  virtual bool can_encode(const message_view& value) const noexcept = 0;
  virtual bool can_decode(const mutable_message_view& value) const noexcept = 0;

  // Called only after can_encode/can_decode said yes. encode replaces `out`.
  // Report failures through the status; an escaping exception is caught by the
  // entry points and turned into encode_failed/undecodable, but costs clarity.
  virtual status encode(const message_view& value, std::string& out) const = 0;
  virtual status decode(std::string_view in, const mutable_message_view& value) const = 0;

 protected:
  // Uniform messages: "cannot encode greeter.Request as application/json: <reason>".
  status encode_error(const message_view& value, std::string_view reason) const;
  // "cannot decode application/json into greeter.Request: <reason>".
  status decode_error(const mutable_message_view& value, std::string_view reason) const;
};

// The messages the entry points use; public so that callers wrapping codecs agree.
status encode_error(std::string_view content_type, std::string_view type_name, std::string_view reason);
status decode_error(std::string_view content_type, std::string_view type_name, std::string_view reason);
status unsupported_error(std::string_view content_type, std::string_view verb, std::string_view type_name);

}  // namespace micro::codecs
