#pragma once
// The memory transport: connections inside one process, for tests and single-process systems
// (go-micro has one). Addresses are names ("" to listen = a fresh one). Frames are delivered in
// order on one process-wide delivery thread, so callbacks run as they would on tcp's I/O
// thread. Frame size and calls in flight are enforced as on tcp; there are no bytes to check,
// so no handshake or idle timeouts.

#include <memory>

#include "transport/transport.hpp"

namespace micro::transport {

std::shared_ptr<transport> make_memory_transport(transport_options options = {});

}  // namespace micro::transport
