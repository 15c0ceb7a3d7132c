// A fixed list of nodes given by the operator (MICRO_REGISTRY_ADDRESS), for
// setups without discovery: "greeter=127.0.0.1:9001,greeter=127.0.0.1:9002"
// (";idempotent=Greeter.Hello" after an address says what a client may retry).
// Read-only: register/deregister validate their input and then do nothing, so
// a service configured with it still runs (its own entry is whatever the
// operator wrote); watch() never yields events.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "registry/registry.hpp"

namespace micro::registry {

// Parses "name=host:port[;option...][,name=host:port...]". Options: "idempotent=Greeter.Hello"
// (repeatable) declares that endpoint of the service safe to run twice, as a server's
// endpoint_options::with_idempotent() does over mDNS: the service gets that endpoint with
// metadata {"idempotent": "true"}, whichever of its entries names it, so a client retries a call
// whose node died with it in flight; any other "key=value" is the node's metadata (e.g.
// transport=tcp;transport_address=9002). Whitespace around entries, names, addresses and
// options is ignored. Several entries may share a name (one node each). host may be a name, an
// IPv4 address or a bracketed IPv6 address ("[::1]:9001"); port is 1..65535. Errors
// (invalid_argument, naming the bad entry): empty input, empty entry, missing '=', empty name,
// missing host or port, non-numeric or out-of-range port, the same name=address twice, an
// empty option, an option without '=' or key, a malformed idempotent endpoint.
// Result: one service per name (in order of first appearance), version "",
// node ids "<name>-<host:port>", endpoints only those declared idempotent.
result<std::vector<service>> parse_static_address(const std::string& address);

class static_registry final : public registry {
 public:
  explicit static_registry(std::vector<service> services);

  // parse_static_address() + construction.
  static result<std::shared_ptr<static_registry>> from_address(const std::string& address);

  std::string name() const override;
  status register_service(const service& svc, const register_options& opts = {}) override;
  status deregister_service(const service& svc) override;
  result<std::vector<service>> get_service(const std::string& name) override;
  result<std::vector<service>> list_services() override;
  std::unique_ptr<watcher> watch(const std::string& service_name = {}) override;

 private:
  const std::vector<service> services_;  // immutable after construction: no lock needed
};

}  // namespace micro::registry
