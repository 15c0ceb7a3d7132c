#pragma once
// A message as bytes plus its content type: what crosses the wire, before typed decoding.
// The CLI and gateways work at this level; typed calls and handlers sit on top.

#include <string>

#include "micro/context.hpp"

namespace micro {

struct raw_message {
  std::string content_type;
  std::string body;
  std::string accept;       // requests only: the content type wanted back (empty: same)
  micro::metadata metadata;  // responses only: metadata the handler sets
};

}  // namespace micro
