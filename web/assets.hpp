#pragma once
// The dashboard's page (web/assets/: HTML, JS, CSS), compiled into the library at build time by
// embed_assets.cmake, so the page works offline and from an installed binary alone.

#include <cstddef>
#include <string>

namespace micro::web {

struct asset {
  const char* name;          // "index.html"
  const char* content_type;  // "text/html; charset=utf-8"
  const unsigned char* data;
  std::size_t size;
};

/// The asset called `name`, or null.
const asset* find_asset(const std::string& name);

}  // namespace micro::web
