// The TXT records of one mdns node: how a (service, node) pair becomes DNS-SD
// TXT strings and back. Every string is "key=value" and at most 255 bytes, so
// `avahi-browse -rt _micro._tcp` shows them as they are:
//
//   service=greeter  version=1.0.0  node=greeter-1  address=127.0.0.1:9000
//   svc.md.KEY=VALUE          service metadata
//   md.KEY=VALUE              node metadata
//   ep.N=Name;request;response  the N-th endpoint (N from 0)
//   ep.N.md.KEY=VALUE         metadata of the N-th endpoint
//
// A string that would exceed 255 bytes is split: "KEY~0=part", "KEY~1=part", ...
// and joined again on decode. Keys may not contain '=' (the first '=' ends the
// key) and may not end in "~<digits>" (encode refuses both).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "registry/model.hpp"
#include "registry/status.hpp"

namespace micro::registry::mdns {

inline constexpr std::size_t max_txt_string = 255;

// invalid_argument if a key is too long to fit (or contains '=').
result<std::vector<std::string>> encode_txt(const service& svc, const node& n);

// The service (with exactly one node) the strings describe; nullopt when the
// strings are not a micro node (no service= or node=).
std::optional<service> decode_txt(const std::vector<std::string>& strings);

}  // namespace micro::registry::mdns
