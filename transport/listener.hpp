#pragma once
// A bound address that accepts connections (go-micro's Listener). Every accepted connection
// that completes the handshake gets the handlers given to transport::listen.

#include <string>

namespace micro::transport {

class listener {
 public:
  virtual ~listener() = default;
  // The address peers dial, with the port that was bound ("127.0.0.1:43121").
  virtual std::string address() const = 0;
  // Stops accepting (idempotent; also done by the destructor). Open connections stay open.
  virtual void close() = 0;
};

}  // namespace micro::transport
