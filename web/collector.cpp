#include "web/collector.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <set>

#include "api/async_caller.hpp"
#include "registry/json.hpp"

namespace micro::web {

namespace {

using clock = std::chrono::steady_clock;

// What one node answered this round.
struct node_answers {
  std::string service;
  registry::node node;
  std::string version;
  std::string health = "down";
  std::string health_detail;
  double health_ms = -1;
  bool has_stats = false;
  nlohmann::json stats;
};

// Counts answers still to come; the round waits for them (each call has its own deadline).
struct pending {
  std::mutex mutex;
  std::condition_variable done;
  std::size_t left = 0;
  // `apply` writes the answer under the lock: the round may read while a late one arrives.
  template <class F>
  void finish(F apply) {
    std::lock_guard<std::mutex> guard{mutex};
    apply();
    if (--left == 0)
      done.notify_all();
  }
};

}  // namespace

collector::collector(micro::client& client, api::async_caller& caller, collector_options opts)
    : client_(client), caller_(caller), opts_(opts),
      last_touch_(clock::now() - opts.idle_after - std::chrono::seconds{1}) {  // idle until a page asks
  thread_ = std::thread{[this] { loop(); }};
}

collector::~collector() { stop(); }

void collector::stop() {
  {
    std::lock_guard<std::mutex> guard{mutex_};
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable())
    thread_.join();
}

void collector::touch() {
  bool was_idle;
  {
    std::lock_guard<std::mutex> guard{mutex_};
    auto now = clock::now();
    was_idle = now - last_touch_ > opts_.idle_after;
    last_touch_ = now;
  }
  if (was_idle)
    wake_.notify_all();
}

nlohmann::json collector::catalog() {
  touch();
  std::unique_lock<std::mutex> lock{mutex_};
  wake_.wait_for(lock, opts_.interval + std::chrono::seconds{2}, [this] { return rounds_ > 0 || stopping_; });
  if (catalog_.is_null())
    return {{"services", nlohmann::json::array()}, {"round", 0}};
  return catalog_;
}

void collector::loop() {
  std::unique_lock<std::mutex> lock{mutex_};
  while (!stopping_) {
    if (clock::now() - last_touch_ > opts_.idle_after) {  // nobody looks: no calls
      wake_.wait(lock, [this] { return stopping_ || clock::now() - last_touch_ <= opts_.idle_after; });
      continue;
    }
    auto started = clock::now();
    lock.unlock();
    round();
    lock.lock();
    wake_.wait_until(lock, started + opts_.interval, [this] { return stopping_; });
  }
}

void collector::round() {
  auto reg = client_.registry();
  nlohmann::json out{{"registry", reg ? reg->name() : "none"}, {"services", nlohmann::json::array()}};
  std::vector<registry::service> versions;
  if (!reg) {
    out["error"] = "no registry";
  } else if (auto listed = reg->list_services(); !listed) {
    out["error"] = listed.st.message;
  } else {
    std::set<std::string> names;
    for (auto& s : listed.value)
      names.insert(s.name);
    for (auto& name : names) {
      auto found = reg->get_service(name);
      if (found)
        versions.insert(versions.end(), found.value.begin(), found.value.end());
    }
  }
  // Every node's Debug.Health and Debug.Stats, all at once, each within the interval.
  std::vector<std::shared_ptr<node_answers>> answers;
  for (auto& v : versions)
    for (auto& n : v.nodes) {
      auto a = std::make_shared<node_answers>();
      a->service = v.name;
      a->node = n;
      a->version = v.version;
      answers.push_back(std::move(a));
    }
  auto wait = std::make_shared<pending>();
  wait->left = answers.size() * 2;
  auto timeout = std::clamp(opts_.interval, std::chrono::milliseconds{200}, std::chrono::milliseconds{2000});
  for (auto& a : answers) {
    micro::call_options co;
    co.timeout = timeout;
    co.retries = 0;
    co.filters.push_back(filters::custom("node " + a->node.id, [id = a->node.id](const registry::service&,
                                                                                 const registry::node& n) {
      return n.id == id;
    }));
    micro::raw_message req{"application/json", "{}", "application/json", {}};
    auto sent = clock::now();
    caller_.call(a->service, "Debug.Health", req, co, [a, wait, sent](micro::result<micro::raw_message> rsp) {
      auto ms = std::chrono::duration<double, std::milli>(clock::now() - sent).count();
      auto body = rsp ? nlohmann::json::parse(rsp->body, nullptr, false) : nlohmann::json{};
      wait->finish([&] {
        a->health_ms = ms;
        if (!rsp) {
          a->health_detail = rsp.error().detail;
        } else {
          a->health = body.is_object() && body.value("status", "") == "ok" ? "ok" : "degraded";
          if (body.is_object())
            a->health_detail = body.value("registry_error", "");
        }
      });
    });
    caller_.call(a->service, "Debug.Stats", req, co, [a, wait](micro::result<micro::raw_message> rsp) {
      auto body = rsp ? nlohmann::json::parse(rsp->body, nullptr, false) : nlohmann::json{};
      wait->finish([&] {
        a->stats = std::move(body);
        a->has_stats = a->stats.is_object();
      });
    });
  }
  {
    std::unique_lock<std::mutex> lock{wait->mutex};
    wait->done.wait_for(lock, timeout + std::chrono::seconds{1}, [&] { return wait->left == 0; });
  }
  // The catalog, and the stats book's round. Answers that came too late are left out.
  double t = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  std::map<std::string, std::vector<std::pair<std::string, node_figures>>> figures;
  std::map<std::string, nlohmann::json> by_name;
  std::lock_guard<std::mutex> answers_guard{wait->mutex};
  for (auto& v : versions) {
    auto& entry = by_name[v.name];
    if (entry.is_null())
      entry = {{"name", v.name}, {"versions", nlohmann::json::array()}, {"metadata", nlohmann::json::object()},
               {"endpoints", nlohmann::json::array()}, {"nodes", nlohmann::json::array()}};
    entry["versions"].push_back(v.version);
    for (auto& [k, val] : v.meta)
      entry["metadata"][k] = val;
    for (auto& e : v.endpoints) {
      bool seen = std::any_of(entry["endpoints"].begin(), entry["endpoints"].end(),
                              [&](const nlohmann::json& x) { return x.value("name", "") == e.name; });
      if (!seen)
        entry["endpoints"].push_back(e);
    }
    figures[v.name];  // a service without live nodes still gets a round (its nodes forgotten)
  }
  for (auto& a : answers) {
    nlohmann::json n = a->node;
    n["version"] = a->version;
    n["health"] = a->health;
    n["health_detail"] = a->health_detail;
    n["health_ms"] = a->health_ms < 0 ? nlohmann::json(nullptr) : nlohmann::json(std::round(a->health_ms * 100) / 100);
    by_name[a->service]["nodes"].push_back(std::move(n));
    if (a->has_stats)
      figures[a->service].emplace_back(a->node.id, parse_debug_stats(a->stats));
  }
  std::set<std::string> live;
  for (auto& [name, nodes] : figures) {
    stats_.record(name, t, nodes);
    live.insert(name);
  }
  stats_.retain(live);
  for (auto& [name, entry] : by_name)
    out["services"].push_back(std::move(entry));
  std::lock_guard<std::mutex> guard{mutex_};
  out["round"] = ++rounds_;
  out["updated"] = t;
  catalog_ = std::move(out);
  wake_.notify_all();
}

}  // namespace micro::web
