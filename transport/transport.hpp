#pragma once
// The transport interface (go-micro's Transport: Dial, Listen) and the factory of its backends.
// A transport moves frames between nodes; what a frame means (request, response, ...) is the
// business of the layer above (actors/). Backends:
//   tcp     micro's own framing on one TCP connection per pair of nodes (transport/tcp.hpp); the
//           default of micro services
//   memory  in-process, for tests and single-process systems (transport/memory.hpp)
// CAF's BASP ("caf", MICRO_TRANSPORT=caf) is not a byte transport of this folder: it is CAF's
// middleman, run by actors/runtime.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "transport/connection.hpp"
#include "transport/limits.hpp"
#include "transport/listener.hpp"
#include "transport/status.hpp"
#include "transport/tls.hpp"

namespace micro::transport {

struct transport_options {
  transport::limits limits;
  // TLS (tcp; the memory transport refuses it; see tls.hpp). Off when empty.
  tls_options tls;
  // Where a connection closed for a broken rule says why (one line per connection); nullptr =
  // standard error.
  std::function<void(const std::string&)> log;
  // Hello flags this side adds to the transport's own (frame.hpp): what the layer above takes,
  // e.g. hello_takes_publications on a node's server. The peer reads them (connection::peer_flags).
  uint16_t hello_flags = 0;
};

class transport {
 public:
  virtual ~transport() = default;

  virtual std::string name() const = 0;
  virtual const transport_options& options() const = 0;
  // Connects and completes the handshake (blocking, at most limits::handshake_timeout). Do not
  // call it from a transport callback (it waits for the I/O thread).
  virtual result<connection_ptr> dial(const std::string& address, connection_handlers handlers) = 0;
  // Binds `address` ("host:port", port 0 = any free one; a name for memory) and accepts.
  virtual result<std::unique_ptr<listener>> listen(const std::string& address, connection_handlers handlers) = 0;
};

// The one place that maps a name to a backend, so options, flags and MICRO_TRANSPORT accept the
// same names. Unknown name: errc::unknown_transport, naming the known ones.
result<std::shared_ptr<transport>> make_transport(const std::string& name, transport_options options = {});
// The names make_transport() knows.
std::vector<std::string> transport_names();

}  // namespace micro::transport
