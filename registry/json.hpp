// JSON encoding of the registry model, in go-micro's field names so `micro
// describe` output reads the same:
//   service  {"name","version","metadata","endpoints","nodes"}
//   endpoint {"name","request","response","metadata"}
//   node     {"id","address","metadata"}
//   event    {"action":"create|update|delete","service",{...},"timestamp":<unix ms>}
// Found by nlohmann's ADL: `nlohmann::json j = svc; auto s = j.get<service>();`.
// from_json: "name" (and a node's "id"/"address") are required; other fields
// may be missing or null (go-micro writes null for empty maps and lists). Bad
// input throws nlohmann::json::exception, as nlohmann's own conversions do. An
// endpoint's request/response may also be a go-micro Value object: its "name" is kept.
#pragma once

#include <nlohmann/json.hpp>

#include "registry/model.hpp"
#include "registry/watcher.hpp"

namespace micro::registry {

void to_json(nlohmann::json& j, const endpoint& e);
void from_json(const nlohmann::json& j, endpoint& e);

void to_json(nlohmann::json& j, const node& n);
void from_json(const nlohmann::json& j, node& n);

void to_json(nlohmann::json& j, const service& s);
void from_json(const nlohmann::json& j, service& s);

// "create" / "update" / "delete"; anything else throws.
void to_json(nlohmann::json& j, const event_type& t);
void from_json(const nlohmann::json& j, event_type& t);

void to_json(nlohmann::json& j, const event& e);
void from_json(const nlohmann::json& j, event& e);

}  // namespace micro::registry
