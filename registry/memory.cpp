#include "registry/memory.hpp"

#include <algorithm>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <thread>
#include <utility>

#include "registry/event_queue.hpp"

namespace micro::registry {

namespace {

// TTLs run on the steady clock so a wall-clock jump neither expires nor keeps
// nodes; event timestamps use the system clock because people read them.
using steady = std::chrono::steady_clock;

const std::string kName = "memory";

struct node_record {
  node n;
  std::chrono::seconds ttl{0};  // 0 = never expires
  steady::time_point last_seen;

  bool expires() const { return ttl.count() > 0; }
  steady::time_point deadline() const { return last_seen + ttl; }
};

struct version_record {
  metadata meta;
  std::vector<endpoint> endpoints;
  std::map<std::string, node_record> nodes;  // by node id, so snapshots are ordered by id
};

using versions = std::map<std::string, version_record>;

service snapshot(const std::string& name, const std::string& version,
                 const version_record& rec, bool with_nodes = true) {
  service s{name, version, rec.meta, rec.endpoints, {}};
  if (with_nodes) {
    s.nodes.reserve(rec.nodes.size());
    for (const auto& [id, nr] : rec.nodes) s.nodes.push_back(nr.n);
  }
  return s;
}

std::string quoted(const std::string& s) { return "\"" + s + "\""; }

}  // namespace

struct memory_registry::state {
  explicit state(memory_options o) : opts(o) {}

  const memory_options opts;
  std::mutex mtx;
  std::condition_variable cv;          // wakes the pruner: new deadline or stop
  std::uint64_t generation = 0;        // bumped on every change the pruner should see
  bool stopping = false;
  std::map<std::string, versions> services;
  watcher_set watchers{opts.watch_queue_capacity};
  std::thread pruner;

  // Called with mtx held, so every watcher sees changes in the order they happened.
  void publish(event_type type, service svc) { watchers.publish(type, std::move(svc)); }

  // Removes lapsed nodes and tells watchers; returns the next deadline (or max).
  // Called with mtx held, by the pruner and lazily by every read and write, so
  // no caller ever sees a node past its TTL even if the pruner runs late.
  steady::time_point prune(steady::time_point now) {
    steady::time_point next = steady::time_point::max();
    for (auto sit = services.begin(); sit != services.end();) {
      for (auto vit = sit->second.begin(); vit != sit->second.end();) {
        version_record& rec = vit->second;
        std::vector<node> lapsed;
        for (auto nit = rec.nodes.begin(); nit != rec.nodes.end();) {
          const node_record& nr = nit->second;
          if (nr.expires() && now >= nr.deadline()) {
            lapsed.push_back(nr.n);
            nit = rec.nodes.erase(nit);
          } else {
            if (nr.expires()) next = std::min(next, nr.deadline());
            ++nit;
          }
        }
        if (lapsed.empty()) {
          ++vit;
        } else if (rec.nodes.empty()) {
          service gone = snapshot(sit->first, vit->first, rec);
          gone.nodes = std::move(lapsed);
          vit = sit->second.erase(vit);
          publish(event_type::remove, std::move(gone));
        } else {
          publish(event_type::update, snapshot(sit->first, vit->first, rec));
          ++vit;
        }
      }
      sit = sit->second.empty() ? services.erase(sit) : std::next(sit);
    }
    return next;
  }

  void run_pruner() {
    std::unique_lock<std::mutex> lock(mtx);
    while (!stopping) {
      const auto next = prune(steady::now());
      const auto seen = generation;
      auto changed = [&] { return stopping || generation != seen; };
      if (next == steady::time_point::max())
        cv.wait(lock, changed);
      else
        cv.wait_until(lock, next, changed);
    }
  }
};

memory_registry::memory_registry(memory_options opts)
    : state_(std::make_unique<state>(opts)) {
  state_->pruner = std::thread([s = state_.get()] { s->run_pruner(); });
}

memory_registry::~memory_registry() {
  {
    std::lock_guard<std::mutex> lock(state_->mtx);
    state_->stopping = true;
    state_->watchers.close_all();
  }
  state_->cv.notify_all();
  state_->pruner.join();
}

std::shared_ptr<memory_registry> memory_registry::shared(const std::string& instance) {
  static std::mutex mtx;
  static std::map<std::string, std::shared_ptr<memory_registry>> instances;
  std::lock_guard<std::mutex> lock(mtx);
  auto& slot = instances[instance];
  if (!slot) slot = std::make_shared<memory_registry>();
  return slot;
}

std::string memory_registry::name() const { return kName; }

status memory_registry::register_service(const service& svc, const register_options& opts) {
  if (auto st = validate_service(kName, svc); !st) return st;
  if (opts.ttl.count() < 0)
    return make_error(errc::invalid_argument, kName,
                      "service " + quoted(svc.name) + ": negative TTL");
  {
    std::lock_guard<std::mutex> lock(state_->mtx);
    const auto now = steady::now();
    state_->prune(now);  // a lapsed node that comes back counts as new
    auto& vers = state_->services[svc.name];
    const bool is_new = vers.find(svc.version) == vers.end();
    version_record& rec = vers[svc.version];
    bool changed = !is_new && (rec.meta != svc.meta || rec.endpoints != svc.endpoints);
    rec.meta = svc.meta;
    rec.endpoints = svc.endpoints;
    for (const auto& n : svc.nodes) {
      auto [it, inserted] = rec.nodes.try_emplace(n.id);
      if (inserted || it->second.n != n) changed = true;
      it->second = node_record{n, opts.ttl, now};
    }
    if (is_new)
      state_->publish(event_type::create, snapshot(svc.name, svc.version, rec));
    else if (changed)
      state_->publish(event_type::update, snapshot(svc.name, svc.version, rec));
    ++state_->generation;
  }
  state_->cv.notify_all();
  return {};
}

status memory_registry::deregister_service(const service& svc) {
  if (auto st = validate_deregister(kName, svc); !st) return st;
  std::lock_guard<std::mutex> lock(state_->mtx);
  state_->prune(steady::now());
  auto sit = state_->services.find(svc.name);
  if (sit == state_->services.end()) return {};
  auto vit = sit->second.find(svc.version);
  if (vit == sit->second.end()) return {};
  version_record& rec = vit->second;
  std::vector<node> removed;
  for (const auto& n : svc.nodes) {
    auto nit = rec.nodes.find(n.id);
    if (nit == rec.nodes.end()) continue;
    removed.push_back(nit->second.n);
    rec.nodes.erase(nit);
  }
  if (removed.empty()) return {};
  if (rec.nodes.empty()) {
    service gone = snapshot(svc.name, svc.version, rec);
    gone.nodes = std::move(removed);
    sit->second.erase(vit);
    if (sit->second.empty()) state_->services.erase(sit);
    state_->publish(event_type::remove, std::move(gone));
  } else {
    state_->publish(event_type::update, snapshot(svc.name, svc.version, rec));
  }
  // No pruner wake-up needed: removing nodes never brings a deadline closer.
  return {};
}

result<std::vector<service>> memory_registry::get_service(const std::string& name) {
  return get_service_snapshot(name).services;
}

service_snapshot memory_registry::get_service_snapshot(const std::string& name) {
  std::lock_guard<std::mutex> lock(state_->mtx);
  state_->prune(steady::now());
  const auto revision = state_->watchers.revision();  // prune's events included
  auto sit = state_->services.find(name);
  if (sit == state_->services.end())
    return {{make_error(errc::not_found, kName, "service " + quoted(name) + " not found"), {}}, revision};
  std::vector<service> out;
  out.reserve(sit->second.size());
  for (const auto& [version, rec] : sit->second) out.push_back(snapshot(name, version, rec));
  return {{{}, std::move(out)}, revision};
}

result<std::vector<service>> memory_registry::list_services() {
  std::lock_guard<std::mutex> lock(state_->mtx);
  state_->prune(steady::now());
  std::vector<service> out;
  for (const auto& [name, vers] : state_->services)
    for (const auto& [version, rec] : vers)
      out.push_back(snapshot(name, version, rec, /*with_nodes=*/false));
  return {{}, std::move(out)};
}

std::unique_ptr<watcher> memory_registry::watch(const std::string& service_name) {
  std::lock_guard<std::mutex> lock(state_->mtx);
  return state_->watchers.add(service_name);
}

}  // namespace micro::registry
