#include "registry/mdns_txt.hpp"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <utility>

namespace micro::registry::mdns {

namespace {

const std::string kName = "mdns";

bool all_digits(const std::string& s);

// "KEY~<digits>" is how a split string names its parts.
bool looks_like_part(const std::string& key) {
  auto tilde = key.rfind('~');
  return tilde != std::string::npos && all_digits(key.substr(tilde + 1));
}

// Appends key=value, split across numbered keys when it does not fit. A key that looks like a
// part ("a~0") is refused: decode would join it into another key (found by fuzz/mdns_txt).
bool add(std::vector<std::string>& out, const std::string& key, const std::string& value) {
  if (key.empty() || key.find('=') != std::string::npos || looks_like_part(key)) return false;
  if (key.size() + 1 + value.size() <= max_txt_string) {
    out.push_back(key + "=" + value);
    return true;
  }
  // "KEY~NNN=": leave room for up to 4 digits of part number.
  const std::size_t overhead = key.size() + 1 + 4 + 1;
  if (overhead >= max_txt_string) return false;
  const std::size_t chunk = max_txt_string - overhead;
  std::size_t part = 0;
  for (std::size_t pos = 0; pos < value.size(); pos += chunk, ++part)
    out.push_back(key + "~" + std::to_string(part) + "=" + value.substr(pos, chunk));
  return true;
}

// "a;b;c" -> {"a","b","c"} (exactly three fields; missing ones empty).
endpoint parse_endpoint(const std::string& v) {
  endpoint e;
  auto a = v.find(';');
  e.name = v.substr(0, a);
  if (a == std::string::npos) return e;
  auto b = v.find(';', a + 1);
  e.request = v.substr(a + 1, b == std::string::npos ? std::string::npos : b - a - 1);
  if (b != std::string::npos) e.response = v.substr(b + 1);
  return e;
}

bool all_digits(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

result<std::vector<std::string>> encode_txt(const service& svc, const node& n) {
  std::vector<std::string> out;
  bool ok = add(out, "service", svc.name) && add(out, "version", svc.version) &&
            add(out, "node", n.id) && add(out, "address", n.address);
  for (const auto& [k, v] : svc.meta) ok = ok && add(out, "svc.md." + k, v);
  for (const auto& [k, v] : n.meta) ok = ok && add(out, "md." + k, v);
  for (std::size_t i = 0; ok && i < svc.endpoints.size(); ++i) {
    const auto& e = svc.endpoints[i];
    const std::string key = "ep." + std::to_string(i);
    ok = add(out, key, e.name + ";" + e.request + ";" + e.response);
    for (const auto& [k, v] : e.meta) ok = ok && add(out, key + ".md." + k, v);
  }
  if (!ok)
    return {make_error(errc::invalid_argument, kName,
                       "service \"" + svc.name + "\" node \"" + n.id +
                           "\": a metadata key is empty, contains '=', ends in '~<digits>' or is "
                           "too long for a TXT record"),
            {}};
  return {{}, std::move(out)};
}

std::optional<service> decode_txt(const std::vector<std::string>& strings) {
  std::map<std::string, std::string> kv;
  std::map<std::string, std::map<long, std::string>> parts;
  for (const auto& s : strings) {
    auto eq = s.find('=');
    if (eq == std::string::npos) continue;
    std::string key = s.substr(0, eq), value = s.substr(eq + 1);
    auto tilde = key.rfind('~');
    if (tilde != std::string::npos && all_digits(key.substr(tilde + 1))) {
      parts[key.substr(0, tilde)][std::strtol(key.c_str() + tilde + 1, nullptr, 10)] =
          std::move(value);
      continue;
    }
    kv[key] = std::move(value);
  }
  for (auto& [key, ps] : parts) {
    std::string joined;
    for (auto& [i, p] : ps) joined += p;
    kv[key] = std::move(joined);
  }
  auto svc_it = kv.find("service");
  auto node_it = kv.find("node");
  if (svc_it == kv.end() || node_it == kv.end()) return std::nullopt;

  service svc;
  node n;
  svc.name = svc_it->second;
  n.id = node_it->second;
  if (auto it = kv.find("version"); it != kv.end()) svc.version = it->second;
  if (auto it = kv.find("address"); it != kv.end()) n.address = it->second;
  std::map<long, endpoint> eps;
  for (const auto& [k, v] : kv) {
    if (k.rfind("svc.md.", 0) == 0) {
      svc.meta[k.substr(7)] = v;
    } else if (k.rfind("md.", 0) == 0) {
      n.meta[k.substr(3)] = v;
    } else if (k.rfind("ep.", 0) == 0) {
      auto dot = k.find('.', 3);
      std::string idx = k.substr(3, dot == std::string::npos ? std::string::npos : dot - 3);
      if (!all_digits(idx)) continue;
      long i = std::strtol(idx.c_str(), nullptr, 10);
      if (dot == std::string::npos) {
        auto e = parse_endpoint(v);
        e.meta = std::move(eps[i].meta);
        eps[i] = std::move(e);
      } else if (k.compare(dot, 4, ".md.") == 0) {
        eps[i].meta[k.substr(dot + 4)] = v;
      }
    }
  }
  for (auto& [i, e] : eps) svc.endpoints.push_back(std::move(e));
  svc.nodes.push_back(std::move(n));
  return svc;
}

}  // namespace micro::registry::mdns
