#pragma once
// Fields of a frame body: big-endian integers and length-prefixed strings. The reader is bounded
// by its input: a length that claims more than what is left is an error, never an allocation,
// so a malformed body costs no more than its own bytes. Wire messages (actors/wire_body) are
// written with these.

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "transport/status.hpp"

namespace micro::transport {

class body_writer {
 public:
  explicit body_writer(std::string& out) : out_{out} {}
  void u32(uint32_t v);
  void i32(int32_t v) { u32(static_cast<uint32_t>(v)); }
  void i64(int64_t v);
  void str(std::string_view s);  // u32 length + bytes
  void map(const std::map<std::string, std::string>& m);  // u32 count + key/value strings

 private:
  std::string& out_;
};

class body_reader {
 public:
  // `what` names the message in errors ("request").
  body_reader(std::string_view in, const char* what) : in_{in}, what_{what} {}
  bool u32(uint32_t& v, const char* field);
  bool i32(int32_t& v, const char* field);
  bool i64(int64_t& v, const char* field);
  bool str(std::string& s, const char* field);
  bool map(std::map<std::string, std::string>& m, const char* field);
  // Every byte was read (trailing bytes are an error too).
  bool finish();
  // bad_frame naming the message and field when a read failed; ok otherwise.
  const status& error() const noexcept { return error_; }

 private:
  bool fail(const char* field, const std::string& why);
  std::string_view in_;
  const char* what_;
  status error_;
};

}  // namespace micro::transport
