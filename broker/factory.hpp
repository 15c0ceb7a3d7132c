// The one place that maps a broker name to a backend, so options, the CLI and MICRO_BROKER
// accept the same names and micro/ never branches on one.
//
// Registration: a table of makers by name, here in broker/. Backends of this layer are lines
// of the table (factory.cpp). `actor` is a line too, so that every name is known before
// anything starts (options validate MICRO_BROKER against backend_names()), but its maker is
// installed from above, by micro's runtime when it starts (actors/actor_backend.hpp): the actor
// broker is CAF actors, and this layer never includes a higher one. A maker is told what a
// backend may need from the process (backend_params) rather than reaching for it.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "broker/broker.hpp"
#include "registry/model.hpp"

namespace micro::broker {

/// The services (with nodes) that advertise a subscriber of a topic, as the registry lists them.
using subscriber_list = std::shared_ptr<const std::vector<registry::service>>;

/// What a backend may use from the process that opens it; each takes what it needs.
struct backend_params {
  std::string address;  // nats: nats://127.0.0.1:4222 when empty; actor: unused (no server)
  tls_files tls;        // to a server (nats)
  /// actor: bound on an acknowledged publish whose message has no timeout of its own.
  std::chrono::milliseconds timeout{5000};
  /// actor: who subscribes to a topic (it routes through the registry, as go-micro's http broker
  /// does). Backends with a server ignore it.
  std::function<subscriber_list(const std::string& topic)> subscribers;
};

using backend_maker = std::function<result<std::shared_ptr<backend>>(const backend_params&)>;

/// Every name make_backend knows, sorted ("actor", "nats").
std::vector<std::string> backend_names();

/// Opens the backend called `name`. invalid_argument for an unknown name (listing the known
/// ones); otherwise what its maker says (nats: unavailable, naming the address and how to start
/// a server, when it cannot connect; invalid_argument for TLS files libnats cannot load).
result<std::shared_ptr<backend>> make_backend(const std::string& name, const backend_params& params);

/// Shorthand for a backend with a server: make_backend(name, {address, tls}).
result<std::shared_ptr<backend>> make_backend(const std::string& name, const std::string& address,
                                              const tls_files& tls = {});

/// Installs (or replaces) the maker of a name the table declares; false for an undeclared name.
/// For backends made above this layer (actor); a backend of broker/ is a line in factory.cpp.
bool install_backend(const std::string& name, backend_maker maker);

}  // namespace micro::broker
