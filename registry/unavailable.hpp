// A registry that could not be opened (bad configuration, no Avahi daemon, ...). Every call
// answers the reason it could not be opened, so a client built on it reports that reason on
// each call as a coded error instead of failing where it was constructed.
#pragma once

#include <memory>
#include <string>

#include "registry/registry.hpp"

namespace micro::registry {

/// `name` is the backend that was asked for ("mdns", "static", ...); `why` is the status
/// opening it gave (its code and message are what every call returns).
std::shared_ptr<registry> make_unavailable_registry(std::string name, status why);

}  // namespace micro::registry
