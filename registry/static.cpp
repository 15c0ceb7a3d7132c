#include "registry/static.hpp"

#include <algorithm>
#include <cctype>
#include <set>
#include <utility>

#include "registry/event_queue.hpp"

namespace micro::registry {

namespace {

const std::string kName = "static";

std::string trim(const std::string& s) {
  auto not_space = [](unsigned char c) { return !std::isspace(c); };
  auto b = std::find_if(s.begin(), s.end(), not_space);
  auto e = std::find_if(s.rbegin(), s.rend(), not_space).base();
  return b < e ? std::string(b, e) : std::string();
}

bool has_space(const std::string& s) {
  return std::any_of(s.begin(), s.end(), [](unsigned char c) { return std::isspace(c); });
}

// Returns "" on success, otherwise why `port` is not a port.
std::string check_port(const std::string& port) {
  if (port.empty()) return "missing port";
  const bool digits = std::all_of(port.begin(), port.end(),
                                  [](unsigned char c) { return std::isdigit(c); });
  // Five digits at most keeps stoul in range; the value check does the rest.
  if (!digits || port.size() > 5 || std::stoul(port) == 0 || std::stoul(port) > 65535)
    return "invalid port \"" + port + "\" (expected 1-65535)";
  return {};
}

// Splits "host:port" / "[v6]:port" into a normalised address; "" + why on error.
std::pair<std::string, std::string> parse_host_port(const std::string& addr) {
  if (addr.empty()) return {{}, "missing address (expected host:port)"};
  std::string host, port;
  if (addr.front() == '[') {
    auto close = addr.find(']');
    if (close == std::string::npos) return {{}, "unterminated '[' in IPv6 address"};
    host = addr.substr(1, close - 1);
    if (close + 1 >= addr.size() || addr[close + 1] != ':')
      return {{}, "missing port (expected [v6]:port)"};
    port = addr.substr(close + 2);
    if (host.empty()) return {{}, "missing host"};
  } else {
    auto colon = addr.rfind(':');
    if (colon == std::string::npos) return {{}, "missing port (expected host:port)"};
    host = addr.substr(0, colon);
    port = addr.substr(colon + 1);
    if (host.empty()) return {{}, "missing host"};
    if (host.find(':') != std::string::npos)
      return {{}, "IPv6 host must be in brackets, e.g. [::1]:9001"};
  }
  if (has_space(host) || host.find('=') != std::string::npos)
    return {{}, "invalid host \"" + host + "\""};
  if (auto why = check_port(port); !why.empty()) return {{}, why};
  const std::string shown = addr.front() == '[' ? "[" + host + "]" : host;
  return {shown + ":" + std::to_string(std::stoul(port)), {}};
}

// Parses the options after an entry's address, "key=value[;key=value...]": idempotent=Endpoint
// (repeatable) declares an endpoint idempotent, any other key is node metadata (e.g.
// transport=tcp). "" on success, otherwise why not.
std::string parse_options(const std::string& text, std::vector<std::string>& idempotent, metadata& meta) {
  std::size_t start = 0;
  while (start <= text.size()) {
    auto semicolon = text.find(';', start);
    if (semicolon == std::string::npos) semicolon = text.size();
    const std::string option = trim(text.substr(start, semicolon - start));
    start = semicolon + 1;
    if (option.empty()) return "empty option (stray ';'?)";
    auto eq = option.find('=');
    if (eq == std::string::npos)
      return "option \"" + option + "\": missing '=' (expected idempotent=Endpoint or key=value)";
    const std::string key = trim(option.substr(0, eq)), value = trim(option.substr(eq + 1));
    if (key.empty()) return "option \"" + option + "\": empty key";
    if (key != "idempotent") {
      meta[key] = value;
      continue;
    }
    if (value.empty()) return "option \"" + option + "\": missing endpoint name";
    if (has_space(value) || value.find('=') != std::string::npos)
      return "option \"" + option + "\": invalid endpoint name \"" + value + "\"";
    idempotent.push_back(value);
  }
  return {};
}

}  // namespace

result<std::vector<service>> parse_static_address(const std::string& address) {
  auto fail = [](const std::string& what) -> result<std::vector<service>> {
    return {make_error(errc::invalid_argument, kName, what), {}};
  };
  if (trim(address).empty())
    return fail("no nodes given (expected name=host:port[;idempotent=Endpoint][;key=value][,name=host:port...])");
  std::vector<service> out;
  std::set<std::pair<std::string, std::string>> seen;
  std::size_t index = 0, start = 0;
  while (start <= address.size()) {
    auto comma = address.find(',', start);
    if (comma == std::string::npos) comma = address.size();
    const std::string entry = trim(address.substr(start, comma - start));
    start = comma + 1;
    ++index;
    const std::string where = "entry " + std::to_string(index) + " \"" + entry + "\": ";
    if (entry.empty())
      return fail("entry " + std::to_string(index) + " is empty (stray comma?)");
    auto eq = entry.find('=');
    if (eq == std::string::npos) return fail(where + "missing '=' (expected name=host:port)");
    const std::string name = trim(entry.substr(0, eq));
    if (name.empty()) return fail(where + "empty service name");
    if (has_space(name)) return fail(where + "service name contains whitespace");
    const std::string value = entry.substr(eq + 1);
    const auto semicolon = value.find(';');
    auto [addr, why] = parse_host_port(trim(value.substr(0, semicolon)));
    if (!why.empty()) return fail(where + why);
    if (!seen.emplace(name, addr).second) return fail(where + "duplicate entry");
    std::vector<std::string> idempotent;
    metadata meta;
    if (semicolon != std::string::npos)
      if (auto bad = parse_options(value.substr(semicolon + 1), idempotent, meta); !bad.empty())
        return fail(where + bad);
    auto it = std::find_if(out.begin(), out.end(),
                           [&](const service& s) { return s.name == name; });
    if (it == out.end()) it = out.insert(out.end(), service{name, "", {}, {}, {}});
    it->nodes.push_back(node{name + "-" + addr, addr, std::move(meta)});
    for (auto& ep : idempotent) {
      auto known = std::find_if(it->endpoints.begin(), it->endpoints.end(),
                                [&](const endpoint& e) { return e.name == ep; });
      if (known == it->endpoints.end())
        it->endpoints.push_back(endpoint{ep, {}, {}, {{"idempotent", "true"}}});
    }
  }
  return {{}, std::move(out)};
}

static_registry::static_registry(std::vector<service> services)
    : services_(std::move(services)) {}

result<std::shared_ptr<static_registry>> static_registry::from_address(
    const std::string& address) {
  auto parsed = parse_static_address(address);
  if (!parsed) return {parsed.st, nullptr};
  return {{}, std::make_shared<static_registry>(std::move(parsed.value))};
}

std::string static_registry::name() const { return kName; }

status static_registry::register_service(const service& svc, const register_options&) {
  return validate_service(kName, svc);
}

status static_registry::deregister_service(const service& svc) {
  return validate_deregister(kName, svc);
}

result<std::vector<service>> static_registry::get_service(const std::string& name) {
  std::vector<service> out;
  for (const auto& s : services_)
    if (s.name == name) out.push_back(s);
  if (out.empty())
    return {make_error(errc::not_found, kName,
                       "service \"" + name + "\" not found (not in the configured list)"),
            {}};
  return {{}, std::move(out)};
}

result<std::vector<service>> static_registry::list_services() {
  std::vector<service> out;
  for (const auto& s : services_) out.push_back(service{s.name, s.version, s.meta, s.endpoints, {}});
  return {{}, std::move(out)};
}

std::unique_ptr<watcher> static_registry::watch(const std::string& service_name) {
  // Nothing ever changes, so an empty queue nobody pushes to is the whole watcher.
  return make_queue_watcher(std::make_shared<event_queue>(service_name, 1));
}

}  // namespace micro::registry
