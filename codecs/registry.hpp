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

 private:
  struct entry {
    std::string content_type;          // canonical, lower case
    std::vector<std::string> aliases;  // canonical, lower case
    std::shared_ptr<codec> impl;
  };

  mutable std::shared_mutex mutex_;
  std::vector<entry> entries_;
  std::vector<std::shared_ptr<codec>> retired_;  // replaced codecs: find() results must not dangle
};

// The process-wide registry with the four built-in codecs (protobuf, json, msgpack,
// octet-stream), built on first use. Add codecs to it to make them available to
// every encode/decode that does not name a registry.
codec_registry& default_codecs();

}  // namespace micro::codecs
