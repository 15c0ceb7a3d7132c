#pragma once
// JSON text as the CLI's commands read and print it (one message per line).

#include <optional>
#include <string>

namespace micro::cli {

/// Why `text` is not one JSON value (nlohmann's message without its exception tag), or nullopt
/// if it is.
std::optional<std::string> json_error(const std::string& text);

/// `body` as compact JSON on one line: the body itself if it is JSON, else a JSON string of it.
/// Bytes that are not UTF-8 (a protobuf body) become U+FFFD rather than an exception.
std::string as_json(const std::string& body);

}  // namespace micro::cli
