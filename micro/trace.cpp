#include "micro/trace.hpp"

#include <random>

namespace micro {

namespace {

bool lower_hex(const std::string& s, std::size_t from, std::size_t n) {
  bool nonzero = false;
  for (std::size_t i = from; i < from + n; ++i) {
    char c = s[i];
    bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
    if (!hex)
      return false;
    nonzero = nonzero || c != '0';
  }
  return nonzero;
}

}  // namespace

std::optional<trace_context> parse_traceparent(const std::string& value) {
  // 00-{32}-{16}-{2}: 55 characters.
  if (value.size() != 55 || value.compare(0, 3, "00-") != 0 || value[35] != '-' || value[52] != '-')
    return std::nullopt;
  if (!lower_hex(value, 3, 32) || !lower_hex(value, 36, 16))
    return std::nullopt;
  auto f0 = value[53], f1 = value[54];
  auto hex = [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); };
  if (!hex(f0) || !hex(f1))
    return std::nullopt;
  trace_context t;
  t.trace_id = value.substr(3, 32);
  t.span_id = value.substr(36, 16);
  t.flags = value.substr(53, 2);
  return t;
}

std::string random_trace_id(std::size_t hex_digits) {
  // One generator per thread: ids on the call path without a lock or a syscall.
  thread_local std::mt19937_64 rng{std::random_device{}()};
  static constexpr char digits[] = "0123456789abcdef";
  std::string out(hex_digits, '0');
  for (;;) {
    bool nonzero = false;
    for (std::size_t i = 0; i < hex_digits; i += 16) {
      auto v = rng();
      for (std::size_t j = 0; j < 16 && i + j < hex_digits; ++j) {
        out[i + j] = digits[v & 0xf];
        nonzero = nonzero || (v & 0xf) != 0;
        v >>= 4;
      }
    }
    if (nonzero)
      return out;
  }
}

std::string ensure_trace(micro::metadata& md) {
  auto it = md.find(traceparent_key);
  if (it != md.end() && parse_traceparent(it->second))
    return it->second;
  trace_context t;
  t.trace_id = random_trace_id(32);
  t.span_id = random_trace_id(16);
  auto value = t.traceparent();
  md[traceparent_key] = value;
  return value;
}

trace_context start_span(micro::metadata& md) {
  trace_context t;
  auto it = md.find(traceparent_key);
  std::optional<trace_context> incoming;
  if (it != md.end())
    incoming = parse_traceparent(it->second);
  if (incoming) {
    t.trace_id = std::move(incoming->trace_id);
    t.flags = std::move(incoming->flags);
    t.parent_span_id = std::move(incoming->span_id);
  } else {
    t.trace_id = random_trace_id(32);
  }
  t.span_id = random_trace_id(16);
  md[traceparent_key] = t.traceparent();
  if (t.parent_span_id.empty())
    md.erase(parent_span_key);
  else
    md[parent_span_key] = t.parent_span_id;
  return t;
}

trace_context trace_of(const context& ctx) {
  trace_context t;
  auto& md = ctx.metadata();
  if (auto it = md.find(traceparent_key); it != md.end())
    if (auto parsed = parse_traceparent(it->second))
      t = std::move(*parsed);
  if (auto it = md.find(parent_span_key); it != md.end())
    t.parent_span_id = it->second;
  return t;
}

}  // namespace micro
