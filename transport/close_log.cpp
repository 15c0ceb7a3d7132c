#include "transport/close_log.hpp"

#include <iostream>

namespace micro::transport {

void log_close(const transport_options& options, const std::string& backend, const std::string& peer,
               const status& reason) {
  auto line = "micro transport " + backend + ": closed " + peer + ": " + to_string(reason.code) + ": "
              + reason.message;
  if (options.log)
    options.log(line);
  else
    std::cerr << line + "\n" << std::flush;
}

}  // namespace micro::transport
