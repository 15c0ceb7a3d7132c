#include "codecs/content_type.hpp"

namespace micro::codecs {

namespace {

bool is_blank(char c) noexcept { return c == ' ' || c == '\t'; }

// ASCII only on purpose: media types are ASCII tokens (RFC 6838), and a
// locale-dependent tolower would make lookups depend on the process locale.
char lower(char c) noexcept { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

}  // namespace

std::string_view media_type(std::string_view content_type) noexcept {
  auto end = content_type.find(';');
  if (end != std::string_view::npos) content_type = content_type.substr(0, end);
  while (!content_type.empty() && is_blank(content_type.front())) content_type.remove_prefix(1);
  while (!content_type.empty() && is_blank(content_type.back())) content_type.remove_suffix(1);
  return content_type;
}

std::string canonical_media_type(std::string_view content_type) {
  auto type = media_type(content_type);
  std::string result(type.size(), '\0');
  for (std::size_t i = 0; i < type.size(); ++i) result[i] = lower(type[i]);
  return result;
}

bool same_media_type(std::string_view a, std::string_view b) noexcept {
  a = media_type(a);
  b = media_type(b);
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

}  // namespace micro::codecs
