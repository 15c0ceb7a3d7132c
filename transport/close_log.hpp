#pragma once
// The one line a backend logs when it closes a connection for a broken rule.

#include <string>

#include "transport/status.hpp"
#include "transport/transport.hpp"

namespace micro::transport {

// "micro transport tcp: closed 127.0.0.1:40312: frame_too_large: header claims ..."
void log_close(const transport_options& options, const std::string& backend, const std::string& peer,
               const status& reason);

}  // namespace micro::transport
