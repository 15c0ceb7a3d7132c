#pragma once
// A registry of codecs keyed by content type. Lookups ignore case and parameters
// ("Application/JSON; charset=utf-8") and follow each codec's aliases.
//
// Thread safety: all members may be called concurrently. A codec replaced by add()
// is kept alive until the registry dies, so a pointer from find() stays valid for
// the registry's lifetime.

#include <memory>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "codecs/codec_interface.hpp"
#include "codecs/content_type.hpp"
#include "codecs/limits.hpp"

namespace micro::codecs {

class codec_registry {
 public:
  codec_registry() = default;
  codec_registry(const codec_registry& other);
  codec_registry& operator=(const codec_registry& other);

  // Adds a codec, replacing the one with the same content type (keeping its place).
  // Throws std::invalid_argument for a null codec or an empty content type.
  void add(std::shared_ptr<codec> c);

  // The codec for a content type or one of its aliases; nullptr if unknown.
  // A canonical content type wins over another codec's alias.
  const codec* find(std::string_view content_type) const;
  bool supports(std::string_view content_type) const;

  // Canonical content types in registration order.
  std::vector<std::string> content_types() const;

  // The largest body encode and decode accept for a content type (its codec's limit, whatever
  // alias names it); errc::too_large beyond it. Default: default_max_message_size.
  // Setting it for a content type no codec answers to returns false.
  bool set_max_message_size(std::string_view content_type, std::size_t bytes);
  // For every codec, and those added later.
  void set_max_message_size(std::size_t bytes);
  // 0 when no codec answers to the content type.
  std::size_t max_message_size(std::string_view content_type) const;

  // find() and the codec's limit in one lookup (what encode and decode use).
  struct found {
    const codec* impl = nullptr;
    std::size_t max_message_size = 0;
  };
  found find_with_limit(std::string_view content_type) const;

 private:
  struct entry {
    std::string content_type;          // canonical, lower case
    std::vector<std::string> aliases;  // canonical, lower case
    std::shared_ptr<codec> impl;
    std::size_t max_message_size = default_max_message_size;
  };
  entry* lookup(std::string_view content_type);  // callers hold mutex_
  const entry* lookup(std::string_view content_type) const;

  mutable std::shared_mutex mutex_;
  std::vector<entry> entries_;
  std::vector<std::shared_ptr<codec>> retired_;
  std::size_t default_max_ = default_max_message_size;  // for codecs added from now on  // replaced codecs: find() results must not dangle
};

// The process-wide registry with the four built-in codecs (protobuf, json, msgpack,
// octet-stream), built on first use. Add codecs to it to make them available to
// every encode/decode that does not name a registry.
codec_registry& default_codecs();

}  // namespace micro::codecs
