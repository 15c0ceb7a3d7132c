#pragma once
// The limits of the byte transports (tcp) this process's nodes and clients use: what micro's
// options set (transport_max_frame_size, transport_handshake_timeout, transport_idle_timeout),
// process-wide like the caf transport's guard. transport/limits.hpp's defaults until set.

#include "transport/limits.hpp"

namespace micro::actors {

transport::limits transport_limits();
void set_transport_limits(const transport::limits& limits);

}  // namespace micro::actors
