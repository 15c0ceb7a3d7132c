#include "registry/mdns.hpp"

#include <avahi-client/lookup.h>
#include <avahi-client/publish.h>
#include <avahi-common/address.h>
#include <avahi-common/alternative.h>
#include <avahi-common/error.h>
#include <avahi-common/malloc.h>
#include <avahi-common/strlst.h>

#include <algorithm>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <utility>

#include "registry/event_queue.hpp"
#include "registry/limits.hpp"
#include "registry/mdns_client.hpp"
#include "registry/mdns_txt.hpp"

namespace micro::registry {

namespace {

using steady = std::chrono::steady_clock;
const std::string kName = "mdns";
const char* const kType = "_micro._tcp";
constexpr std::size_t kMaxInstanceName = 63;  // DNS label limit

std::string quoted(const std::string& s) { return "\"" + s + "\""; }

// "host:port" or "[v6]:port" -> (host, port); port 0 when malformed.
std::pair<std::string, std::uint16_t> split_address(const std::string& addr) {
  auto colon = addr.rfind(':');
  if (colon == std::string::npos || colon + 1 >= addr.size()) return {addr, 0};
  std::string host = addr.substr(0, colon), port = addr.substr(colon + 1);
  if (!std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
      port.size() > 5)
    return {host, 0};
  long p = std::strtol(port.c_str(), nullptr, 10);
  if (p <= 0 || p > 65535) return {host, 0};
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  return {host, static_cast<std::uint16_t>(p)};
}

bool unspecified_host(const std::string& h) {
  return h.empty() || h == "0.0.0.0" || h == "::" || h == "[::]";
}

std::string instance_name_for(const std::string& node_id) {
  std::string n = node_id.substr(0, kMaxInstanceName);
  // Do not cut a UTF-8 sequence in half.
  while (!n.empty() && n.size() < node_id.size() &&
         (static_cast<unsigned char>(node_id[n.size()]) & 0xC0) == 0x80)
    n.pop_back();
  return n;
}

std::string nv_key(const std::string& name, const std::string& version) {
  return name + '\0' + version;
}

// One node this registry publishes: one entry group, one DNS-SD service.
struct publication {
  mdns_registry::state* st = nullptr;
  service svc;  // exactly one node
  std::vector<std::string> txt;
  std::uint16_t port = 0;
  std::string instance;
  AvahiEntryGroup* group = nullptr;
};

}  // namespace

struct mdns_registry::state {
  explicit state(mdns_options o) : opts(o) {}

  const mdns_options opts;

  // --- guarded by the poll lock (touched on the poll thread or under poll_guard)
  AvahiServiceBrowser* browser = nullptr;
  std::map<std::string, AvahiServiceResolver*> resolvers;  // by browse key
  std::map<std::string, std::unique_ptr<publication>> pubs;  // by name\0version\0id

  // --- guarded by mtx (taken after the poll lock, never before it)
  std::mutex mtx;
  std::condition_variable cv;
  std::map<std::string, service> found;  // by browse key: one node each
  std::set<std::string> stale;           // found before a reconnect, not seen since
  std::set<std::string> unresolved;      // browsed, resolve pending
  bool all_for_now = false;
  steady::time_point browse_started = steady::now();
  watcher_set watchers{opts.watch_queue_capacity};

  // Declared last, destroyed first (the destructor resets it explicitly too).
  std::unique_ptr<mdns::avahi_connection> conn;

  // ---- aggregation and events (mtx held)

  std::optional<service> aggregate(const std::string& name, const std::string& version) const {
    std::optional<service> out;
    std::map<std::string, node> nodes;
    for (const auto& [key, s] : found) {
      if (s.name != name || s.version != version) continue;
      if (!out) out = service{name, version, {}, {}, {}};
      out->meta = s.meta;
      out->endpoints = s.endpoints;
      for (const auto& n : s.nodes) nodes[n.id] = n;
    }
    if (out)
      for (auto& [id, n] : nodes) out->nodes.push_back(n);
    return out;
  }

  void publish_event(event_type type, service svc) { watchers.publish(type, std::move(svc)); }

  // Replaces (or, with nullopt, drops) the record under `key` and sends the
  // events this causes for the (name, version)s involved.
  void set_record(const std::string& key, std::optional<service> rec) {
    std::set<std::pair<std::string, std::string>> touched;
    if (auto it = found.find(key); it != found.end())
      touched.emplace(it->second.name, it->second.version);
    if (rec) touched.emplace(rec->name, rec->version);
    std::map<std::pair<std::string, std::string>, std::optional<service>> before;
    for (const auto& nv : touched) before[nv] = aggregate(nv.first, nv.second);
    if (rec)
      found[key] = std::move(*rec);
    else
      found.erase(key);
    stale.erase(key);
    for (const auto& nv : touched) {
      auto after = aggregate(nv.first, nv.second);
      const auto& b = before[nv];
      if (!b && after)
        publish_event(event_type::create, std::move(*after));
      else if (b && !after)
        publish_event(event_type::remove, *b);
      else if (b && after && *b != *after)
        publish_event(event_type::update, std::move(*after));
    }
  }

  bool settled() const { return all_for_now && unresolved.empty(); }

  // Waits (bounded by settle_timeout after the browse started) for the browse to settle.
  void wait_settled(std::unique_lock<std::mutex>& lk) {
    cv.wait_until(lk, browse_started + opts.settle_timeout, [&] { return settled(); });
  }

  // ---- Avahi side (poll lock held)

  static std::string browse_key(AvahiIfIndex iface, AvahiProtocol proto, const char* name,
                                const char* type, const char* domain) {
    return std::to_string(iface) + "/" + std::to_string(proto) + "/" + name + "/" + type + "/" +
           domain;
  }

  void on_running(AvahiClient* c) {
    if (!browser) {
      browser = avahi_service_browser_new(c, AVAHI_IF_UNSPEC, AVAHI_PROTO_UNSPEC, kType, nullptr,
                                          AvahiLookupFlags(0), &state::browse_cb, this);
      if (!browser)
        std::fprintf(stderr, "registry mdns: cannot browse %s: %s\n", kType,
                     avahi_strerror(avahi_client_errno(c)));
    }
    for (auto& [key, p] : pubs) {
      auto st = publish(c, *p);
      if (!st) std::fprintf(stderr, "%s\n", st.message.c_str());
    }
  }

  void on_lost() {
    // Freed with the old client: forget them.
    browser = nullptr;
    resolvers.clear();
    for (auto& [key, p] : pubs) p->group = nullptr;
    std::lock_guard<std::mutex> lk(mtx);
    for (const auto& [key, rec] : found) stale.insert(key);
    unresolved.clear();
    all_for_now = false;
  }

  status publish(AvahiClient* c, publication& p) {
    if (!c) return {};  // reconnecting: on_running publishes it
    const bool fresh = p.group == nullptr;
    if (fresh) {
      p.group = avahi_entry_group_new(c, &state::group_cb, &p);
      if (!p.group)
        return make_error(errc::unavailable, kName,
                          "cannot create an entry group: " +
                              std::string(avahi_strerror(avahi_client_errno(c))));
    } else {
      avahi_entry_group_reset(p.group);
    }
    for (int attempt = 0; attempt < 32; ++attempt) {
      AvahiStringList* txt = nullptr;
      for (auto it = p.txt.rbegin(); it != p.txt.rend(); ++it)
        txt = avahi_string_list_add(txt, it->c_str());  // prepends: keep the order
      int r = avahi_entry_group_add_service_strlst(p.group, AVAHI_IF_UNSPEC, AVAHI_PROTO_UNSPEC,
                                                   AvahiPublishFlags(0), p.instance.c_str(),
                                                   kType, nullptr, nullptr, p.port, txt);
      avahi_string_list_free(txt);
      if (r == AVAHI_ERR_COLLISION) {
        rename(p);
        continue;
      }
      if (r < 0)
        return make_error(errc::unavailable, kName,
                          "cannot publish node " + quoted(p.svc.nodes.at(0).id) + " as " +
                              quoted(p.instance) + ": " + avahi_strerror(r));
      r = avahi_entry_group_commit(p.group);
      if (r < 0)
        return make_error(errc::unavailable, kName,
                          "cannot commit node " + quoted(p.svc.nodes.at(0).id) + ": " +
                              avahi_strerror(r));
      return {};
    }
    return make_error(errc::unavailable, kName,
                      "no free instance name for node " + quoted(p.svc.nodes.at(0).id));
  }

  static void rename(publication& p) {
    char* alt = avahi_alternative_service_name(p.instance.c_str());
    std::fprintf(stderr, "registry mdns: instance name %s is taken, publishing as %s\n",
                 quoted(p.instance).c_str(), quoted(alt).c_str());
    p.instance = alt;
    avahi_free(alt);
  }

  static void group_cb(AvahiEntryGroup* g, AvahiEntryGroupState s, void* userdata) {
    auto* p = static_cast<publication*>(userdata);
    if (s == AVAHI_ENTRY_GROUP_COLLISION) {
      rename(*p);
      p->group = g;
      auto st = p->st->publish(avahi_entry_group_get_client(g), *p);
      if (!st) std::fprintf(stderr, "%s\n", st.message.c_str());
    } else if (s == AVAHI_ENTRY_GROUP_FAILURE) {
      AvahiClient* c = avahi_entry_group_get_client(g);
      // A lost daemon is handled (and logged once) by the connection.
      if (avahi_client_errno(c) != AVAHI_ERR_DISCONNECTED)
        std::fprintf(stderr, "registry mdns: publishing %s failed: %s\n",
                     quoted(p->instance).c_str(), avahi_strerror(avahi_client_errno(c)));
    }
  }

  static void browse_cb(AvahiServiceBrowser* b, AvahiIfIndex iface, AvahiProtocol proto,
                        AvahiBrowserEvent ev, const char* name, const char* type,
                        const char* domain, AvahiLookupResultFlags, void* userdata) {
    auto* self = static_cast<state*>(userdata);
    switch (ev) {
      case AVAHI_BROWSER_NEW: {
        const auto key = browse_key(iface, proto, name, type, domain);
        if (self->resolvers.count(key)) break;
        AvahiServiceResolver* r = avahi_service_resolver_new(
            avahi_service_browser_get_client(b), iface, proto, name, type, domain,
            AVAHI_PROTO_INET, AvahiLookupFlags(0), &state::resolve_cb, self);
        if (!r) break;
        self->resolvers[key] = r;
        std::lock_guard<std::mutex> lk(self->mtx);
        self->unresolved.insert(key);
        break;
      }
      case AVAHI_BROWSER_REMOVE: {
        const auto key = browse_key(iface, proto, name, type, domain);
        if (auto it = self->resolvers.find(key); it != self->resolvers.end()) {
          avahi_service_resolver_free(it->second);
          self->resolvers.erase(it);
        }
        std::lock_guard<std::mutex> lk(self->mtx);
        self->unresolved.erase(key);
        self->set_record(key, std::nullopt);
        self->cv.notify_all();
        break;
      }
      case AVAHI_BROWSER_ALL_FOR_NOW: {
        std::lock_guard<std::mutex> lk(self->mtx);
        self->all_for_now = true;
        // After a reconnect: what was not seen again is gone.
        auto gone = self->stale;
        for (const auto& key : gone) self->set_record(key, std::nullopt);
        self->cv.notify_all();
        break;
      }
      case AVAHI_BROWSER_FAILURE:
        if (avahi_client_errno(avahi_service_browser_get_client(b)) != AVAHI_ERR_DISCONNECTED)
          std::fprintf(stderr, "registry mdns: browsing %s failed: %s\n", kType,
                       avahi_strerror(avahi_client_errno(avahi_service_browser_get_client(b))));
        break;
      case AVAHI_BROWSER_CACHE_EXHAUSTED:
        break;
    }
  }

  static void resolve_cb(AvahiServiceResolver* r, AvahiIfIndex iface, AvahiProtocol proto,
                         AvahiResolverEvent ev, const char* name, const char* type,
                         const char* domain, const char* /*host*/, const AvahiAddress* addr,
                         uint16_t port, AvahiStringList* txt, AvahiLookupResultFlags,
                         void* userdata) {
    auto* self = static_cast<state*>(userdata);
    const auto key = browse_key(iface, proto, name, type, domain);
    if (ev != AVAHI_RESOLVER_FOUND) {
      // Keep the resolver: it reports again if the service comes back; the
      // browser's REMOVE frees it. Just stop waiting for it.
      std::lock_guard<std::mutex> lk(self->mtx);
      self->unresolved.erase(key);
      self->cv.notify_all();
      return;
    }
    (void)r;
    std::vector<std::string> strings;
    for (AvahiStringList* l = txt; l; l = avahi_string_list_get_next(l))
      strings.emplace_back(reinterpret_cast<const char*>(avahi_string_list_get_text(l)),
                           avahi_string_list_get_size(l));
    std::reverse(strings.begin(), strings.end());  // irrelevant to decoding; nicer order
    auto svc = mdns::decode_txt(strings);
    if (svc) {
      if (auto st = check_entry_limits("mdns", *svc); !st) {
        std::cerr << st.message << " (announced as " << (name ? name : "?") << ")\n";
        svc.reset();
      }
    }
    std::lock_guard<std::mutex> lk(self->mtx);
    self->unresolved.erase(key);
    if (svc) {
      node& n = svc->nodes.at(0);
      auto [host, p] = split_address(n.address);
      if (unspecified_host(host) && addr) {
        // Bound to all interfaces: advertise what Avahi resolved, never 0.0.0.0.
        char buf[AVAHI_ADDRESS_STR_MAX];
        avahi_address_snprint(buf, sizeof buf, addr);
        std::string h = buf;
        if (addr->proto == AVAHI_PROTO_INET6) h = "[" + h + "]";
        n.address = h + ":" + std::to_string(p ? p : port);
      }
      self->set_record(key, std::move(svc));
    }
    self->cv.notify_all();
  }
};

mdns_registry::mdns_registry(std::unique_ptr<state> s) : state_(std::move(s)) {}

result<std::shared_ptr<mdns_registry>> mdns_registry::open(mdns_options opts) {
  auto s = std::make_unique<state>(opts);
  state* raw = s.get();
  mdns::avahi_connection::hooks hooks;
  hooks.running = [raw](AvahiClient* c) { raw->on_running(c); };
  hooks.lost = [raw] { raw->on_lost(); };
  {
    std::lock_guard<std::mutex> lk(s->mtx);
    s->browse_started = steady::now();
  }
  auto conn = mdns::avahi_connection::open(std::move(hooks));
  if (!conn.ok()) return {conn.st, nullptr};
  s->conn = std::move(conn.value);
  return {{}, std::shared_ptr<mdns_registry>(new mdns_registry(std::move(s)))};
}

mdns_registry::~mdns_registry() {
  // Stops the poll thread and frees the client with its groups (withdrawing what
  // we published), browser and resolvers; no callback runs after this.
  state_->conn.reset();
  std::lock_guard<std::mutex> lk(state_->mtx);
  state_->watchers.close_all();
}

namespace {

// A TXT record travels in one mDNS packet: beyond loopback (MTU 1500, less the DNS and IP
// headers) Avahi cannot resolve one much over ~1,400 bytes, so other hosts never see the node.
// Loopback (MTU 65536) hides this, so say it where it starts.
void warn_if_too_large_for_the_lan(const std::string& svc, const std::string& node,
                                   const std::vector<std::string>& txt) {
  constexpr std::size_t lan_limit = 1300;
  std::size_t bytes = 0;
  for (const auto& s : txt) bytes += s.size() + 1;
  if (bytes > lan_limit)
    std::cerr << "registry mdns: service " << quoted(svc) << " node " << quoted(node) << ": TXT record of "
              << bytes << " bytes (endpoints and metadata); over ~" << lan_limit
              << " bytes other hosts may not resolve it (one mDNS packet, MTU 1500). Fewer endpoints or "
                 "shorter metadata, or the etcd registry, avoid it.\n";
}

}  // namespace

std::string mdns_registry::name() const { return kName; }

status mdns_registry::register_service(const service& svc, const register_options&) {
  if (auto st = validate_service(kName, svc); !st) return st;
  std::vector<std::unique_ptr<publication>> fresh;
  for (const auto& n : svc.nodes) {
    auto p = std::make_unique<publication>();
    p->st = state_.get();
    p->svc = service{svc.name, svc.version, svc.meta, svc.endpoints, {n}};
    auto txt = mdns::encode_txt(svc, n);
    if (!txt.ok()) return txt.st;
    p->txt = std::move(txt.value);
    warn_if_too_large_for_the_lan(svc.name, n.id, p->txt);
    auto [host, port] = split_address(n.address);
    if (port == 0)
      return make_error(errc::invalid_argument, kName,
                        "service " + quoted(svc.name) + " node " + quoted(n.id) +
                            ": address " + quoted(n.address) + " has no valid port");
    p->port = port;
    p->instance = instance_name_for(n.id);
    fresh.push_back(std::move(p));
  }
  mdns::poll_guard lock(*state_->conn);
  AvahiClient* c = state_->conn->client();
  for (auto& p : fresh) {
    const auto key = nv_key(svc.name, svc.version) + '\0' + p->svc.nodes.at(0).id;
    auto it = state_->pubs.find(key);
    if (it != state_->pubs.end()) {
      publication& old = *it->second;
      if (old.svc == p->svc) continue;  // a refresh: nothing to tell the network
      if (old.group && old.port == p->port) {
        AvahiStringList* txt = nullptr;
        for (auto t = p->txt.rbegin(); t != p->txt.rend(); ++t)
          txt = avahi_string_list_add(txt, t->c_str());
        int r = avahi_entry_group_update_service_txt_strlst(
            old.group, AVAHI_IF_UNSPEC, AVAHI_PROTO_UNSPEC, AvahiPublishFlags(0),
            old.instance.c_str(), kType, nullptr, txt);
        avahi_string_list_free(txt);
        old.svc = p->svc;
        old.txt = p->txt;
        if (r < 0)
          return make_error(errc::unavailable, kName,
                            "cannot update node " + quoted(old.svc.nodes.at(0).id) + ": " +
                                avahi_strerror(r));
        continue;
      }
      old.svc = p->svc;
      old.txt = p->txt;
      old.port = p->port;
      if (auto st = state_->publish(c, old); !st) return st;
      continue;
    }
    publication& pub = *p;
    state_->pubs[key] = std::move(p);
    if (auto st = state_->publish(c, pub); !st) {
      if (pub.group) avahi_entry_group_free(pub.group);
      state_->pubs.erase(key);
      return st;
    }
  }
  return {};
}

status mdns_registry::deregister_service(const service& svc) {
  if (auto st = validate_deregister(kName, svc); !st) return st;
  mdns::poll_guard lock(*state_->conn);
  for (const auto& n : svc.nodes) {
    auto it = state_->pubs.find(nv_key(svc.name, svc.version) + '\0' + n.id);
    if (it == state_->pubs.end()) continue;
    if (it->second->group) avahi_entry_group_free(it->second->group);  // sends goodbyes
    state_->pubs.erase(it);
  }
  return {};
}

namespace {

// What this process publishes, as one service per node (copied under the poll lock).
std::vector<service> local_services(mdns_registry::state& s) {
  std::vector<service> out;
  mdns::poll_guard lock(*s.conn);
  for (const auto& [key, p] : s.pubs) out.push_back(p->svc);
  return out;
}

std::string seconds(steady::duration d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f s", std::chrono::duration<double>(d).count());
  return buf;
}

}  // namespace

result<std::vector<service>> mdns_registry::get_service(const std::string& name) {
  return get_service_snapshot(name).services;
}

service_snapshot mdns_registry::get_service_snapshot(const std::string& name) {
  const auto asked = steady::now();
  auto local = local_services(*state_);
  std::unique_lock<std::mutex> lk(state_->mtx);
  state_->wait_settled(lk);
  // Events are published under mtx as `found` changes: this is the last one `found` reflects.
  const auto revision = state_->watchers.revision();
  std::map<std::string, service> versions;  // version -> service
  std::map<std::string, std::map<std::string, node>> nodes;
  auto take = [&](const service& s) {
    if (s.name != name) return;
    auto& v = versions[s.version];
    v.name = s.name;
    v.version = s.version;
    v.meta = s.meta;
    v.endpoints = s.endpoints;
    for (const auto& n : s.nodes) nodes[s.version][n.id] = n;
  };
  for (const auto& [key, s] : state_->found) take(s);
  for (const auto& s : local) {
    // A node we publish ourselves: what the network says wins (it has the
    // resolved address when ours is unspecified), ours fills the gap until then.
    if (s.name != name) continue;
    auto& known = nodes[s.version];
    if (known.count(s.nodes.at(0).id)) continue;
    service copy = s;
    auto [host, port] = split_address(copy.nodes.at(0).address);
    if (unspecified_host(host)) copy.nodes.at(0).address = "127.0.0.1:" + std::to_string(port);
    take(copy);
  }
  if (versions.empty()) {
    const auto now = steady::now();
    return {{make_error(errc::not_found, kName,
                        "service " + quoted(name) + " not found: browsed " + kType +
                            " through the Avahi daemon for " +
                            seconds(now - state_->browse_started) + " (this lookup waited " +
                            seconds(now - asked) + ")"),
             {}},
            revision};
  }
  std::vector<service> out;
  for (auto& [version, s] : versions) {
    for (auto& [id, n] : nodes[version]) s.nodes.push_back(n);
    out.push_back(std::move(s));
  }
  return {{{}, std::move(out)}, revision};
}

result<std::vector<service>> mdns_registry::list_services() {
  auto local = local_services(*state_);
  std::unique_lock<std::mutex> lk(state_->mtx);
  state_->wait_settled(lk);
  std::map<std::pair<std::string, std::string>, service> all;
  auto take = [&](const service& s) {
    all[{s.name, s.version}] = service{s.name, s.version, s.meta, s.endpoints, {}};
  };
  for (const auto& s : local) take(s);
  for (const auto& [key, s] : state_->found) take(s);
  std::vector<service> out;
  for (auto& [k, s] : all) out.push_back(std::move(s));
  return {{}, std::move(out)};
}

std::unique_ptr<watcher> mdns_registry::watch(const std::string& service_name) {
  std::lock_guard<std::mutex> lk(state_->mtx);
  return state_->watchers.add(service_name);
}

std::vector<std::string> mdns_registry::published_names() {
  std::vector<std::string> out;
  mdns::poll_guard lock(*state_->conn);
  for (const auto& [key, p] : state_->pubs) out.push_back(p->instance);
  return out;
}

}  // namespace micro::registry
