#include "micro/selector.hpp"

#include <algorithm>

namespace micro {

const char* to_string(strategy s) noexcept {
  switch (s) {
    case strategy::random: return "random";
    case strategy::roundrobin: return "roundrobin";
    case strategy::leastconn: return "leastconn";
    case strategy::latency: return "latency";
  }
  return "random";
}

result<strategy> parse_strategy(const std::string& name) {
  for (auto s : {strategy::random, strategy::roundrobin, strategy::leastconn, strategy::latency})
    if (name == to_string(s))
      return s;
  return errors::bad_request("micro.selector",
                             "unknown selector strategy \"" + name + "\" (known: random, roundrobin, leastconn, latency)");
}

namespace filters {

named_filter version(std::string v) {
  auto description = "version " + v;
  return {std::move(description), [v = std::move(v)](const registry::service& s, const registry::node&) { return s.version == v; }};
}

named_filter label(std::string key, std::string value) {
  auto description = "label " + key + "=" + value;
  return {std::move(description), [key = std::move(key), value = std::move(value)](const registry::service&, const registry::node& n) {
            auto it = n.meta.find(key);
            return it != n.meta.end() && it->second == value;
          }};
}

named_filter endpoint(std::string name) {
  auto description = "endpoint " + name;
  return {std::move(description), [name = std::move(name)](const registry::service& s, const registry::node&) {
            return std::any_of(s.endpoints.begin(), s.endpoints.end(),
                               [&](const registry::endpoint& e) { return e.name == name; });
          }};
}

named_filter custom(std::string description, node_filter keep) { return {std::move(description), std::move(keep)}; }

}  // namespace filters

const char* to_string(failure_kind k) noexcept {
  switch (k) {
    case failure_kind::not_delivered: return "not_delivered";
    case failure_kind::refused: return "refused";
    case failure_kind::node_lost: return "node_lost";
    case failure_kind::timeout: return "timeout";
    case failure_kind::handler_error: return "handler_error";
  }
  return "handler_error";
}

bool default_retry_policy(const retry_info& info) {
  switch (info.kind) {
    case failure_kind::not_delivered:
    case failure_kind::refused: return true;              // no handler ran
    case failure_kind::node_lost: return info.idempotent;  // it may have run: only if that is safe
    case failure_kind::timeout: return info.retry_on_timeout;
    case failure_kind::handler_error: return false;
  }
  return false;
}

}  // namespace micro
