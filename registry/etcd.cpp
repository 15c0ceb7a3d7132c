#include "registry/etcd.hpp"

#include <condition_variable>
#include <iostream>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "registry/base64.hpp"
#include "registry/etcd_answers.hpp"
#include "registry/limits.hpp"
#include "registry/etcd_nodes.hpp"
#include "registry/event_queue.hpp"

namespace micro::registry {

namespace {

const std::string registry_name = "etcd";
using nlohmann::json;

// The entry of a key/value; nullopt (and a log line) for one that is not ours to read.
std::optional<std::pair<std::string, etcd_entry>> entry_of(etcd_kv kv) {
  if (!kv.entry) {
    std::cerr << "registry etcd: ignoring " << kv.key << ": not a go-micro service entry with one node\n";
    return std::nullopt;
  }
  if (auto st = check_entry_limits(registry_name, kv.entry->svc); !st) {
    std::cerr << st.message << " (key " << kv.key.substr(0, 256) << ")\n";
    return std::nullopt;
  }
  return std::pair{std::move(kv.key), std::move(*kv.entry)};
}

// What this process registered: enough to renew or put it back.
struct owned_node {
  std::string value;
  std::int64_t ttl = 0;
  std::int64_t lease = 0;  // 0: no lease (ttl 0) or none granted yet
};

}  // namespace

struct etcd_registry::state {
  etcd_options opts;
  etcd_client client;
  etcd_watch_stream stream;

  std::mutex owned_mtx;  // guards owned; held across etcd requests that change it
  std::map<std::string, owned_node> owned;

  std::mutex mtx;  // guards everything below
  std::condition_variable cv;
  etcd_node_table table;
  watcher_set watchers;
  bool watching = false;
  bool stopping = false;
  std::uint64_t watched_revision = 0;  // last revision the table reflects
  status last_failure;                 // ok once etcd answers again
  std::thread watch_thread;

  state(etcd_options o, std::vector<std::string> endpoints)
      : opts(o), client(std::move(endpoints), o.client), stream(o.watch), watchers(o.watch_queue_capacity) {}

  void note(const status& st) {
    std::lock_guard<std::mutex> lock(mtx);
    if (!st.ok() && last_failure.message != st.message)
      std::cerr << st.message << "\n";
    else if (st.ok() && !last_failure.ok())
      std::cerr << "registry etcd: reachable again at " << client.preferred_endpoint() << "\n";
    last_failure = st;
  }

  // Every entry under the prefix, with the revision the read reflects.
  result<std::pair<std::map<std::string, etcd_entry>, std::uint64_t>> read_all(const std::string& prefix) {
    auto answer = client.post("/v3/kv/range", {{"key", base64_encode(prefix)},
                                               {"range_end", base64_encode(etcd_prefix_end(prefix))}});
    if (!answer.ok())
      return {answer.st, {}};
    std::map<std::string, etcd_entry> entries;
    for (auto& kv : decode_etcd_range(answer.value))
      if (auto decoded = entry_of(std::move(kv)))
        entries.insert(std::move(*decoded));
    return {{}, {std::move(entries), etcd_header_revision(answer.value)}};
  }

  status put_node(const std::string& key, owned_node& n) {
    if (n.ttl > 0) {
      auto grant = client.post("/v3/lease/grant", {{"TTL", n.ttl}});
      if (!grant.ok())
        return grant.st;
      n.lease = etcd_int_field(grant.value, "ID");
    }
    json put{{"key", base64_encode(key)}, {"value", base64_encode(n.value)}};
    if (n.lease != 0)
      put["lease"] = std::to_string(n.lease);
    return client.post("/v3/kv/put", put).st;
  }

  // True if the lease is still alive after renewing it.
  bool renew(const owned_node& n) {
    if (n.lease == 0)
      return n.ttl == 0;
    auto answer = client.post("/v3/lease/keepalive", {{"ID", std::to_string(n.lease)}});
    if (!answer.ok())
      return false;
    auto result = answer.value.find("result");
    return result != answer.value.end() && etcd_int_field(*result, "TTL") > 0;
  }

  void revoke(std::int64_t lease) {
    if (lease != 0)
      client.post("/v3/lease/revoke", {{"ID", std::to_string(lease)}});
  }

  // Puts back this process's nodes that etcd no longer has (lease lost, etcd wiped).
  template <class IsMissing>
  void restore_missing(IsMissing is_missing) {
    std::lock_guard<std::mutex> lock(owned_mtx);
    for (auto& [key, n] : owned) {
      if (!is_missing(key))
        continue;
      std::cerr << "registry etcd: " << key << " is gone from etcd (lease lost?): registering it again\n";
      const auto old_lease = n.lease;
      if (auto st = put_node(key, n); !st.ok())
        std::cerr << st.message << "\n";
      else if (old_lease != n.lease)
        revoke(old_lease);
    }
  }

  void publish(std::vector<event> events) {
    for (auto& ev : events)
      watchers.publish_numbered(std::move(ev));
  }

  // Returns false when stopping.
  bool wait_before_retry() {
    std::unique_lock<std::mutex> lock(mtx);
    return !cv.wait_for(lock, opts.reconnect_delay, [this] { return stopping; });
  }

  // Reads everything and brings the table (and every watcher) up to date.
  bool reseed() {
    auto all = read_all(etcd_prefix);
    note(all.st);
    if (!all.ok())
      return false;
    {
      std::lock_guard<std::mutex> lock(mtx);
      publish(table.reset(all.value.first, all.value.second));
      watched_revision = all.value.second;
    }
    const auto& present = all.value.first;
    restore_missing([&present](const std::string& key) { return present.count(key) == 0; });
    return true;
  }

  bool handle_message(const json& message) {
    auto decoded = decode_etcd_watch_message(message);
    if (decoded.canceled) {
      // Compacted past our revision, or cancelled by the server: read everything again.
      std::cerr << "registry etcd: watch cancelled by etcd ("
                << (decoded.cancel_reason.empty() ? std::string{"compacted"} : decoded.cancel_reason)
                << "): reading the registry again\n";
      return false;
    }
    std::set<std::string> deleted;  // ours among them were deleted by someone else (lease expired)
    {
      std::lock_guard<std::mutex> lock(mtx);
      for (auto& change : decoded.changes) {
        if (change.kv && change.deleted) {
          publish(table.remove(change.kv->key, change.revision));
          deleted.insert(change.kv->key);
        } else if (change.kv) {
          if (auto entry = entry_of(std::move(*change.kv)))
            publish(table.put(entry->first, std::move(entry->second)));
        }
        watched_revision = std::max(watched_revision, change.revision);
      }
      watched_revision = std::max(watched_revision, decoded.header_revision);
    }
    if (!deleted.empty())
      restore_missing([&deleted](const std::string& key) { return deleted.count(key) != 0; });
    return true;
  }

  // `seeded`: watch() has read everything already, so the stream starts after that read.
  void watch_loop(bool seeded) {
    for (;;) {
      {
        std::lock_guard<std::mutex> lock(mtx);
        if (stopping)
          return;
      }
      if (!seeded) {
        if (!reseed()) {
          if (!wait_before_retry())
            return;
          continue;
        }
      }
      std::uint64_t from = 0;
      {
        std::lock_guard<std::mutex> lock(mtx);
        from = watched_revision + 1;
      }
      json request{{"create_request",
                    {{"key", base64_encode(etcd_prefix)},
                     {"range_end", base64_encode(etcd_prefix_end(etcd_prefix))},
                     {"start_revision", std::to_string(from)}}}};
      auto st = stream.run(client.preferred_endpoint(), request,
                           [this](const json& message) { return handle_message(message); });
      seeded = false;
      {
        std::lock_guard<std::mutex> lock(mtx);
        if (stopping)
          return;
      }
      if (!st.ok()) {
        note(st);
        if (!wait_before_retry())
          return;
      }
    }
  }
};

result<std::shared_ptr<etcd_registry>> etcd_registry::open(const std::string& address, etcd_options opts) {
  auto endpoints = parse_etcd_endpoints(address);
  if (!endpoints.ok())
    return {endpoints.st, nullptr};
  auto s = std::make_unique<state>(opts, std::move(endpoints.value));
  return {{}, std::shared_ptr<etcd_registry>(new etcd_registry(std::move(s)))};
}

etcd_registry::etcd_registry(std::unique_ptr<state> s) : state_(std::move(s)) {}

etcd_registry::~etcd_registry() {
  {
    std::lock_guard<std::mutex> lock(state_->mtx);
    state_->stopping = true;
    state_->watchers.close_all();
  }
  state_->cv.notify_all();
  state_->stream.stop();
  if (state_->watch_thread.joinable())
    state_->watch_thread.join();
}

std::string etcd_registry::name() const { return registry_name; }

status etcd_registry::register_service(const service& svc, const register_options& opts) {
  if (auto st = validate_service(registry_name, svc); !st.ok())
    return st;
  auto& s = *state_;
  std::lock_guard<std::mutex> lock(s.owned_mtx);
  for (const auto& n : svc.nodes) {
    const auto key = etcd_node_key(svc.name, n.id);
    auto value = encode_etcd_value(svc, n);
    auto it = s.owned.find(key);
    const auto ttl = static_cast<std::int64_t>(opts.ttl.count());
    if (it != s.owned.end() && it->second.value == value && it->second.ttl == ttl && s.renew(it->second))
      continue;  // unchanged and its lease renewed: nothing to write
    owned_node fresh{std::move(value), ttl, 0};
    auto st = s.put_node(key, fresh);
    s.note(st);
    if (!st.ok())
      return make_error(st.code, registry_name, "register " + key + ": " + st.message);
    if (it != s.owned.end()) {
      s.revoke(it->second.lease);
      it->second = std::move(fresh);
    } else {
      s.owned.emplace(key, std::move(fresh));
    }
  }
  return {};
}

status etcd_registry::deregister_service(const service& svc) {
  if (auto st = validate_deregister(registry_name, svc); !st.ok())
    return st;
  auto& s = *state_;
  std::lock_guard<std::mutex> lock(s.owned_mtx);
  for (const auto& n : svc.nodes) {
    const auto key = etcd_node_key(svc.name, n.id);
    std::int64_t lease = 0;
    if (auto it = s.owned.find(key); it != s.owned.end()) {
      lease = it->second.lease;
      s.owned.erase(it);
    }
    auto st = s.client.post("/v3/kv/deleterange", {{"key", base64_encode(key)}}).st;
    s.note(st);
    if (!st.ok())
      return make_error(st.code, registry_name, "deregister " + key + ": " + st.message);
    s.revoke(lease);
  }
  return {};
}

service_snapshot etcd_registry::get_service_snapshot(const std::string& name) {
  auto all = state_->read_all(etcd_service_prefix(name));
  if (!all.ok())
    return {{all.st, {}}, 0};
  auto services = group_etcd_entries(all.value.first, name);
  if (services.empty())
    return {{make_error(errc::not_found, registry_name, "service \"" + name + "\" not found"), {}},
            all.value.second};
  return {{{}, std::move(services)}, all.value.second};
}

result<std::vector<service>> etcd_registry::get_service(const std::string& name) {
  return get_service_snapshot(name).services;
}

result<std::vector<service>> etcd_registry::list_services() {
  auto all = state_->read_all(etcd_prefix);
  if (!all.ok())
    return {all.st, {}};
  return {{}, group_etcd_entries(all.value.first)};
}

std::unique_ptr<watcher> etcd_registry::watch(const std::string& service_name) {
  auto& s = *state_;
  bool start = false;
  {
    std::lock_guard<std::mutex> lock(s.mtx);
    start = !s.watching;
    s.watching = true;
  }
  if (start) {
    // Seed before the first watcher exists, so a read after watch() is never older than the
    // stream's starting point. If etcd is down, the thread keeps trying.
    bool seeded = false;
    if (auto all = s.read_all(etcd_prefix); all.ok()) {
      std::lock_guard<std::mutex> lock(s.mtx);
      s.table.reset(all.value.first, all.value.second);
      s.watched_revision = all.value.second;
      seeded = true;
    } else {
      s.note(all.st);
    }
    std::lock_guard<std::mutex> lock(s.mtx);
    s.watch_thread = std::thread([&s, seeded] { s.watch_loop(seeded); });
  }
  std::lock_guard<std::mutex> lock(s.mtx);
  return s.watchers.add(service_name);
}

status etcd_registry::health() {
  std::lock_guard<std::mutex> lock(state_->mtx);
  return state_->last_failure;
}

}  // namespace micro::registry
