#include "registry/etcd_nodes.hpp"

#include <algorithm>
#include <chrono>
#include <set>

#include <nlohmann/json.hpp>

#include "registry/json.hpp"

namespace micro::registry {

const std::string etcd_prefix = "/micro/registry/";

std::string etcd_service_prefix(const std::string& service_name) {
  auto name = service_name;
  std::replace(name.begin(), name.end(), '/', '-');
  return etcd_prefix + name + "/";
}

std::string etcd_node_key(const std::string& service_name, const std::string& node_id) {
  return etcd_service_prefix(service_name) + node_id;
}

std::string etcd_prefix_end(std::string prefix) {
  // The smallest key greater than every key with this prefix: drop trailing 0xff bytes, then
  // increment the last byte. A prefix of only 0xff bytes has no end: "\0" means "to the end".
  while (!prefix.empty() && static_cast<unsigned char>(prefix.back()) == 0xff)
    prefix.pop_back();
  if (prefix.empty())
    return std::string(1, '\0');
  prefix.back() = static_cast<char>(static_cast<unsigned char>(prefix.back()) + 1);
  return prefix;
}

std::string encode_etcd_value(const service& svc, const node& n) {
  service one = svc;
  one.nodes = {n};
  nlohmann::json j = one;
  // go-micro's Endpoint.Request/Response are Value objects, not strings.
  for (auto& e : j["endpoints"]) {
    for (const char* field : {"request", "response"}) {
      auto type = e[field].get<std::string>();
      if (type.empty())
        e[field] = nullptr;
      else
        e[field] = nlohmann::json{{"name", type}, {"type", type}};
    }
  }
  return j.dump();
}

std::optional<service> decode_etcd_value(const std::string& value) {
  auto j = nlohmann::json::parse(value, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    return std::nullopt;
  try {
    auto svc = j.get<service>();
    if (svc.name.empty() || svc.nodes.size() != 1 || svc.nodes[0].id.empty() || svc.nodes[0].address.empty())
      return std::nullopt;
    return svc;
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;
  }
}

std::vector<service> group_etcd_entries(const std::map<std::string, etcd_entry>& entries,
                                        const std::string& only_service) {
  std::map<std::pair<std::string, std::string>, std::pair<service, std::uint64_t>> groups;
  for (const auto& [key, entry] : entries) {
    const auto& svc = entry.svc;
    if (!only_service.empty() && svc.name != only_service)
      continue;
    auto [it, fresh] = groups.try_emplace({svc.name, svc.version});
    auto& [merged, newest] = it->second;
    if (fresh || entry.revision >= newest) {
      auto nodes = std::move(merged.nodes);
      merged = svc;
      merged.nodes = std::move(nodes);
      newest = entry.revision;
    }
    merged.nodes.push_back(svc.nodes.front());
  }
  std::vector<service> out;
  for (auto& [key, g] : groups) {
    auto& nodes = g.first.nodes;
    std::sort(nodes.begin(), nodes.end(), [](const node& a, const node& b) { return a.id < b.id; });
    out.push_back(std::move(g.first));
  }
  return out;
}

std::vector<event> etcd_node_table::put(const std::string& key, etcd_entry entry) {
  const auto revision = entry.revision;
  return apply({{key, std::move(entry)}}, revision);
}

std::vector<event> etcd_node_table::remove(const std::string& key, std::uint64_t revision) {
  if (!entries_.count(key))
    return {};
  return apply({{key, std::nullopt}}, revision);
}

std::vector<event> etcd_node_table::reset(std::map<std::string, etcd_entry> entries,
                                          std::uint64_t revision) {
  std::map<std::string, std::optional<etcd_entry>> changes;
  for (const auto& [key, entry] : entries_)
    if (!entries.count(key))
      changes[key] = std::nullopt;
  for (auto& [key, entry] : entries)
    changes[key] = std::move(entry);
  return apply(std::move(changes), revision);
}

std::vector<event> etcd_node_table::apply(std::map<std::string, std::optional<etcd_entry>> changes,
                                          std::uint64_t revision) {
  // The (name, version) groups the changes touch, before and after.
  std::set<group_key> touched;
  for (const auto& [key, change] : changes) {
    if (auto it = entries_.find(key); it != entries_.end())
      touched.insert({it->second.svc.name, it->second.svc.version});
    if (change)
      touched.insert({change->svc.name, change->svc.version});
  }
  auto snapshot = [&](const group_key& g) -> std::optional<service> {
    for (auto& svc : group_etcd_entries(entries_, g.first))
      if (svc.version == g.second)
        return svc;
    return std::nullopt;
  };
  std::map<group_key, std::optional<service>> before;
  for (const auto& g : touched)
    before[g] = snapshot(g);
  for (auto& [key, change] : changes) {
    if (change)
      entries_[key] = std::move(*change);
    else
      entries_.erase(key);
  }
  std::vector<event> out;
  const auto now = std::chrono::system_clock::now();
  for (const auto& g : touched) {
    auto after = snapshot(g);
    const auto& was = before[g];
    if (!was && after)
      out.push_back({event_type::create, std::move(*after), now, revision});
    else if (was && !after)
      out.push_back({event_type::remove, *was, now, revision});
    else if (was && after && *was != *after)
      out.push_back({event_type::update, std::move(*after), now, revision});
  }
  return out;
}

}  // namespace micro::registry
