// Standard base64 (RFC 4648, with padding): etcd's JSON gateway carries keys and values as
// base64 strings. Decoding is strict because the input comes from the network.
#pragma once

#include <optional>
#include <string>

namespace micro::registry {

std::string base64_encode(const std::string& bytes);

// nullopt for anything that is not canonical padded base64 (bad length, bad character,
// misplaced '=').
std::optional<std::string> base64_decode(const std::string& text);

}  // namespace micro::registry
