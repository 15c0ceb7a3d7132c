#include "codecs/registry.hpp"

#include <mutex>
#include <stdexcept>

#include "codecs/bytes_codec.hpp"
#include "codecs/json_codec.hpp"
#include "codecs/msgpack_codec.hpp"
#include "codecs/protobuf_codec.hpp"

namespace micro::codecs {

codec_registry::codec_registry(const codec_registry& other) {
  std::shared_lock lock{other.mutex_};
  entries_ = other.entries_;
  default_max_ = other.default_max_;
}

codec_registry& codec_registry::operator=(const codec_registry& other) {
  if (this == &other) return *this;
  std::unique_lock mine{mutex_, std::defer_lock};
  std::shared_lock theirs{other.mutex_, std::defer_lock};
  std::lock(mine, theirs);
  for (auto& e : entries_) retired_.push_back(std::move(e.impl));
  entries_ = other.entries_;
  default_max_ = other.default_max_;
  return *this;
}

void codec_registry::add(std::shared_ptr<codec> c) {
  if (!c) throw std::invalid_argument("codec_registry::add: null codec");
  entry e{canonical_media_type(c->content_type()), {}, nullptr};
  if (e.content_type.empty()) throw std::invalid_argument("codec_registry::add: codec without a content type");
  for (const auto& alias : c->aliases()) e.aliases.push_back(canonical_media_type(alias));
  e.impl = std::move(c);

  std::unique_lock lock{mutex_};
  e.max_message_size = default_max_;
  for (auto& existing : entries_) {
    if (existing.content_type == e.content_type) {
      retired_.push_back(std::move(existing.impl));
      e.max_message_size = existing.max_message_size;  // a replaced codec keeps its limit
      existing = std::move(e);
      return;
    }
  }
  entries_.push_back(std::move(e));
}

const codec_registry::entry* codec_registry::lookup(std::string_view content_type) const {
  auto wanted = media_type(content_type);
  if (wanted.empty()) return nullptr;
  for (const auto& e : entries_)
    if (same_media_type(e.content_type, wanted)) return &e;
  for (const auto& e : entries_)
    for (const auto& alias : e.aliases)
      if (same_media_type(alias, wanted)) return &e;
  return nullptr;
}

codec_registry::entry* codec_registry::lookup(std::string_view content_type) {
  return const_cast<entry*>(static_cast<const codec_registry*>(this)->lookup(content_type));
}

const codec* codec_registry::find(std::string_view content_type) const {
  std::shared_lock lock{mutex_};
  const entry* e = lookup(content_type);
  return e ? e->impl.get() : nullptr;
}

codec_registry::found codec_registry::find_with_limit(std::string_view content_type) const {
  std::shared_lock lock{mutex_};
  const entry* e = lookup(content_type);
  return e ? found{e->impl.get(), e->max_message_size} : found{};
}

bool codec_registry::set_max_message_size(std::string_view content_type, std::size_t bytes) {
  std::unique_lock lock{mutex_};
  entry* e = lookup(content_type);
  if (!e) return false;
  e->max_message_size = bytes;
  return true;
}

void codec_registry::set_max_message_size(std::size_t bytes) {
  std::unique_lock lock{mutex_};
  default_max_ = bytes;
  for (auto& e : entries_) e.max_message_size = bytes;
}

std::size_t codec_registry::max_message_size(std::string_view content_type) const {
  return find_with_limit(content_type).max_message_size;
}

bool codec_registry::supports(std::string_view content_type) const { return find(content_type) != nullptr; }

std::vector<std::string> codec_registry::content_types() const {
  std::shared_lock lock{mutex_};
  std::vector<std::string> result;
  result.reserve(entries_.size());
  for (const auto& e : entries_) result.push_back(e.content_type);
  return result;
}

codec_registry& default_codecs() {
  // A function-local static: built once, thread-safe, and usable during static
  // initialisation of other translation units.
  static codec_registry registry = [] {
    codec_registry r;
    r.add(std::make_shared<protobuf_codec>());
    r.add(std::make_shared<json_codec>());
    r.add(std::make_shared<msgpack_codec>());
    r.add(std::make_shared<bytes_codec>());
    return r;
  }();
  return registry;
}

}  // namespace micro::codecs
