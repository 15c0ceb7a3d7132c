// The interface's out-of-line parts and make_backend(): the one place that maps a backend name
// to a backend, so options, the CLI and MICRO_BROKER accept the same names.
#include "broker/broker.hpp"

#include "broker/nats.hpp"

namespace micro::broker {

subscription::~subscription() = default;
backend::~backend() = default;

result<std::shared_ptr<backend>> make_backend(const std::string& name, const std::string& address,
                                              const tls_files& tls) {
  if (name == "nats") {
    nats_options opts;
    opts.url = address;
    opts.tls = tls;
    auto r = nats_backend::connect(std::move(opts));
    return {r.st, r.value};
  }
  return {status{errc::invalid_argument, "broker: unknown broker backend \"" + name + "\" (known: nats)"},
          nullptr};
}

}  // namespace micro::broker
