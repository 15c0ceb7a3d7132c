#include "transport/body.hpp"

namespace micro::transport {

void body_writer::u32(uint32_t v) {
  for (int i = 3; i >= 0; --i) out_.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

void body_writer::i64(int64_t v) {
  auto u = static_cast<uint64_t>(v);
  for (int i = 7; i >= 0; --i) out_.push_back(static_cast<char>((u >> (8 * i)) & 0xff));
}

void body_writer::str(std::string_view s) {
  u32(static_cast<uint32_t>(s.size()));
  out_.append(s.data(), s.size());
}

void body_writer::map(const std::map<std::string, std::string>& m) {
  u32(static_cast<uint32_t>(m.size()));
  for (const auto& [k, v] : m) {
    str(k);
    str(v);
  }
}

bool body_reader::fail(const char* field, const std::string& why) {
  if (error_.ok())
    error_ = status::error(errc::bad_frame, std::string{what_} + ": " + field + ": " + why);
  return false;
}

bool body_reader::u32(uint32_t& v, const char* field) {
  if (!error_.ok()) return false;
  if (in_.size() < 4) return fail(field, "truncated (" + std::to_string(in_.size()) + " of 4 bytes)");
  v = 0;
  for (int i = 0; i < 4; ++i) v = (v << 8) | static_cast<unsigned char>(in_[i]);
  in_.remove_prefix(4);
  return true;
}

bool body_reader::i32(int32_t& v, const char* field) {
  uint32_t u = 0;
  if (!u32(u, field)) return false;
  v = static_cast<int32_t>(u);
  return true;
}

bool body_reader::i64(int64_t& v, const char* field) {
  if (!error_.ok()) return false;
  if (in_.size() < 8) return fail(field, "truncated (" + std::to_string(in_.size()) + " of 8 bytes)");
  uint64_t u = 0;
  for (int i = 0; i < 8; ++i) u = (u << 8) | static_cast<unsigned char>(in_[i]);
  in_.remove_prefix(8);
  v = static_cast<int64_t>(u);
  return true;
}

bool body_reader::str(std::string& s, const char* field) {
  uint32_t n = 0;
  if (!u32(n, field)) return false;
  if (n > in_.size())
    return fail(field, "claims " + std::to_string(n) + " bytes, " + std::to_string(in_.size()) + " left");
  s.assign(in_.data(), n);
  in_.remove_prefix(n);
  return true;
}

bool body_reader::map(std::map<std::string, std::string>& m, const char* field) {
  uint32_t n = 0;
  if (!u32(n, field)) return false;
  // Each entry takes at least 8 bytes (two lengths): a count beyond that is a lie.
  if (n > in_.size() / 8)
    return fail(field, "claims " + std::to_string(n) + " entries, " + std::to_string(in_.size()) + " bytes left");
  m.clear();
  for (uint32_t i = 0; i < n; ++i) {
    std::string k, v;
    if (!str(k, field) || !str(v, field)) return false;
    m.emplace(std::move(k), std::move(v));
  }
  return true;
}

bool body_reader::finish() {
  if (!error_.ok()) return false;
  if (!in_.empty()) return fail("end", std::to_string(in_.size()) + " bytes past the last field");
  return true;
}

}  // namespace micro::transport
