#include "registry/json.hpp"

#include <chrono>
#include <string>

namespace micro::registry {

namespace {

using nlohmann::json;

// Missing or null -> default value; present with the wrong type -> throws.
template <class T>
void get_optional(const json& j, const char* key, T& out) {
  auto it = j.find(key);
  if (it != j.end() && !it->is_null()) it->get_to(out);
}

// A request/response type: micro writes a string, go-micro a Value object {"name","type",...}
// (its etcd and mdns entries), of which the type name is what micro keeps.
void get_type_name(const json& j, const char* key, std::string& out) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null())
    return;
  if (it->is_object()) {
    out = it->value("name", std::string{});
    if (out.empty())
      out = it->value("type", std::string{});
    return;
  }
  it->get_to(out);
}

}  // namespace

void to_json(json& j, const endpoint& e) {
  j = json{{"name", e.name}, {"request", e.request}, {"response", e.response},
           {"metadata", e.meta}};
}

void from_json(const json& j, endpoint& e) {
  j.at("name").get_to(e.name);
  get_type_name(j, "request", e.request);
  get_type_name(j, "response", e.response);
  get_optional(j, "metadata", e.meta);
}

void to_json(json& j, const node& n) {
  j = json{{"id", n.id}, {"address", n.address}, {"metadata", n.meta}};
}

void from_json(const json& j, node& n) {
  j.at("id").get_to(n.id);
  j.at("address").get_to(n.address);
  get_optional(j, "metadata", n.meta);
}

void to_json(json& j, const service& s) {
  j = json{{"name", s.name},           {"version", s.version}, {"metadata", s.meta},
           {"endpoints", s.endpoints}, {"nodes", s.nodes}};
}

void from_json(const json& j, service& s) {
  j.at("name").get_to(s.name);
  get_optional(j, "version", s.version);
  get_optional(j, "metadata", s.meta);
  get_optional(j, "endpoints", s.endpoints);
  get_optional(j, "nodes", s.nodes);
}

void to_json(json& j, const event_type& t) { j = to_string(t); }

void from_json(const json& j, event_type& t) {
  const auto s = j.get<std::string>();
  for (auto candidate : {event_type::create, event_type::update, event_type::remove}) {
    if (s == to_string(candidate)) {
      t = candidate;
      return;
    }
  }
  throw json::other_error::create(
      501, "registry: unknown event action \"" + s + "\" (expected create, update or delete)",
      &j);
}

void to_json(json& j, const event& e) {
  using namespace std::chrono;
  j = json{{"action", e.type},
           {"service", e.svc},
           {"timestamp", duration_cast<milliseconds>(e.when.time_since_epoch()).count()}};
}

void from_json(const json& j, event& e) {
  using namespace std::chrono;
  j.at("action").get_to(e.type);
  j.at("service").get_to(e.svc);
  std::int64_t ms = 0;
  get_optional(j, "timestamp", ms);
  e.when = system_clock::time_point(duration_cast<system_clock::duration>(milliseconds(ms)));
}

}  // namespace micro::registry
