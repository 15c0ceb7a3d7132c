#include "codecs/msgpack_codec.hpp"

#include "codecs/content_type.hpp"
#include "codecs/limits.hpp"

namespace micro::codecs {

namespace {

std::string describe(const msgpack::object& o) {
  switch (o.type) {
    case msgpack::type::NIL: return "nil";
    case msgpack::type::BOOLEAN: return "a boolean";
    case msgpack::type::POSITIVE_INTEGER:
    case msgpack::type::NEGATIVE_INTEGER: return "an integer";
    case msgpack::type::FLOAT32:
    case msgpack::type::FLOAT64: return "a float";
    case msgpack::type::STR: return "a string";
    case msgpack::type::BIN: return "binary data";
    case msgpack::type::ARRAY: return "an array of " + std::to_string(o.via.array.size);
    case msgpack::type::MAP: return "a map of " + std::to_string(o.via.map.size);
    case msgpack::type::EXT: return "an ext value";
  }
  return "an unknown value";
}

}  // namespace

std::string_view msgpack_codec::content_type() const noexcept { return content_type::msgpack; }

std::vector<std::string> msgpack_codec::aliases() const { return {"application/x-msgpack", "application/vnd.msgpack"}; }

bool msgpack_codec::can_encode(const message_view& value) const noexcept { return value.has_msgpack(); }

bool msgpack_codec::can_decode(const mutable_message_view& value) const noexcept { return value.has_msgpack(); }

status msgpack_codec::encode(const message_view& value, std::string& out) const {
  try {
    msgpack::sbuffer buffer;
    msgpack::packer<msgpack::sbuffer> packer{buffer};
    value.pack(packer);
    out.assign(buffer.data(), buffer.size());
    return status::success();
  } catch (const std::exception& e) {
    return encode_error(value, e.what());
  }
}

status msgpack_codec::decode(std::string_view in, const mutable_message_view& value) const {
  msgpack::object_handle handle;
  try {
    const auto n = in.size();
    msgpack::unpack_limit limit{n, n, n, n, n, max_depth};
    std::size_t offset = 0;
    handle = msgpack::unpack(in.data(), n, offset, nullptr, nullptr, limit);
    if (offset != n)
      return decode_error(value, std::to_string(n - offset) + " trailing bytes after the msgpack value");
  } catch (const msgpack::depth_size_overflow&) {
    auto st = decode_error(value, "arrays and maps nested deeper than max_depth " + std::to_string(max_depth));
    st.code = errc::too_deep;
    return st;
  } catch (const msgpack::insufficient_bytes&) {
    return decode_error(value, "truncated msgpack data (" + std::to_string(in.size()) + " bytes)");
  } catch (const std::exception& e) {
    return decode_error(value, std::string("malformed msgpack data: ") + e.what());
  }
  try {
    value.unpack(handle.get());
  } catch (const msgpack::type_error&) {
    return decode_error(value, "msgpack value (" + describe(handle.get()) + ") does not match the type");
  } catch (const std::exception& e) {
    return decode_error(value, "msgpack value (" + describe(handle.get()) + ") does not match the type: " + e.what());
  }
  return status::success();
}

}  // namespace micro::codecs
