// make_transport(): the one place that maps a backend name to a backend.
#include "transport/memory.hpp"
#include "transport/tcp.hpp"
#include "transport/transport.hpp"

namespace micro::transport {

std::vector<std::string> transport_names() { return {"tcp", "memory"}; }

result<std::shared_ptr<transport>> make_transport(const std::string& name, transport_options options) {
  if (name == "tcp") return make_tcp_transport(std::move(options));
  if (name == "memory") {
    if (options.tls.enabled())
      return {status::error(errc::tls_failed, "transport: the memory transport has no TLS (it never leaves the process)"),
              nullptr};
    return {{}, make_memory_transport(std::move(options))};
  }
  return {status::error(errc::unknown_transport,
                        "transport: unknown transport \"" + name + "\" (known: tcp, memory)"),
          nullptr};
}

}  // namespace micro::transport
