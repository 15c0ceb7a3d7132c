#include "micro/trace.hpp"

#include <array>
#include <random>

namespace micro {

namespace {

// Whether n characters from `from` are lower-case hex digits, not all '0'. Without a branch per
// character: on random ids a digit-or-letter branch mispredicted about every other character,
// and this ran for every call and publication (20% of a NATS subscriber's delivery thread).
bool lower_hex(const std::string& s, std::size_t from, std::size_t n) {
  static const auto hex = [] {
    std::array<bool, 256> t{};
    for (char c : std::string{"0123456789abcdef"})
      t[static_cast<unsigned char>(c)] = true;
    return t;
  }();
  bool all = true, nonzero = false;
  for (std::size_t i = from; i < from + n; ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    all &= hex[c];
    nonzero |= c != '0';
  }
  return all && nonzero;
}

// Whether `value` is a valid version-00 traceparent (checked in place: this runs for every call
// and every publication, so it allocates nothing).
bool valid_traceparent(const std::string& value) {
  // 00-{32}-{16}-{2}: 55 characters.
  if (value.size() != 55 || value.compare(0, 3, "00-") != 0 || value[35] != '-' || value[52] != '-')
    return false;
  if (!lower_hex(value, 3, 32) || !lower_hex(value, 36, 16))
    return false;
  auto hex = [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); };
  return hex(value[53]) && hex(value[54]);
}

// Writes `n` random lower-case hex digits, not all zero, at `out`.
void random_hex(char* out, std::size_t n) {
  // One generator per thread: ids on the call path without a lock or a syscall.
  thread_local std::mt19937_64 rng{std::random_device{}()};
  static constexpr char digits[] = "0123456789abcdef";
  for (;;) {
    bool nonzero = false;
    for (std::size_t i = 0; i < n; i += 16) {
      auto v = rng();
      for (std::size_t j = 0; j < 16 && i + j < n; ++j) {
        out[i + j] = digits[v & 0xf];
        nonzero = nonzero || (v & 0xf) != 0;
        v >>= 4;
      }
    }
    if (nonzero)
      return;
  }
}

// A new trace's traceparent, written into `value`: "00-<new trace id>-<new span id>-01".
void new_traceparent(std::string& value) {
  value.assign("00-00000000000000000000000000000000-0000000000000000-01");
  random_hex(&value[3], 32);
  random_hex(&value[36], 16);
}

}  // namespace

std::optional<trace_context> parse_traceparent(const std::string& value) {
  if (!valid_traceparent(value))
    return std::nullopt;
  trace_context t;
  t.trace_id = value.substr(3, 32);
  t.span_id = value.substr(36, 16);
  t.flags = value.substr(53, 2);
  return t;
}

std::string random_trace_id(std::size_t hex_digits) {
  std::string out(hex_digits, '0');
  random_hex(out.data(), hex_digits);
  return out;
}

std::string ensure_trace(micro::metadata& md) {
  auto& value = md[traceparent_key];
  if (!valid_traceparent(value))
    new_traceparent(value);
  return value;
}

void enter_span(micro::metadata& md) {
  auto& value = md[traceparent_key];
  if (valid_traceparent(value)) {
    // Same trace and flags; the incoming span becomes the parent, and a new one is ours.
    md[parent_span_key].assign(value, 36, 16);
    random_hex(&value[36], 16);
    return;
  }
  new_traceparent(value);
  md.erase(parent_span_key);
}

trace_context start_span(micro::metadata& md) {
  enter_span(md);
  auto t = *parse_traceparent(md[traceparent_key]);
  if (auto it = md.find(parent_span_key); it != md.end())
    t.parent_span_id = it->second;
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
