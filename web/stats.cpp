#include "web/stats.hpp"

#include <algorithm>
#include <cmath>

namespace micro::web {

namespace {

std::uint64_t count_of(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_number_integer() || it->get<std::int64_t>() < 0)
    return 0;
  return it->get<std::uint64_t>();
}

call_figures parse_calls(const nlohmann::json& j) {
  call_figures out;
  out.requests = count_of(j, "requests");
  out.errors = count_of(j, "errors");
  auto lat = j.find("latency");
  if (lat == j.end() || !lat->is_object())
    return out;
  auto bounds = lat->find("bounds_us");
  auto counts = lat->find("counts");
  if (bounds == lat->end() || counts == lat->end() || !bounds->is_array() || !counts->is_array()
      || counts->size() != bounds->size() + 1)
    return out;
  for (auto& b : *bounds)
    out.bounds_us.push_back(b.is_number() ? b.get<double>() : 0.0);
  for (auto& c : *counts)
    out.counts.push_back(c.is_number_integer() && c.get<std::int64_t>() > 0 ? c.get<std::uint64_t>() : 0);
  return out;
}

nlohmann::json number_or_null(double v) { return v < 0 ? nlohmann::json(nullptr) : nlohmann::json(std::round(v * 1000) / 1000); }

nlohmann::json to_json(const point& p) {
  return nlohmann::json::array({p.t, std::round(p.rate * 100) / 100, std::round(p.errors * 100) / 100,
                                number_or_null(p.p50), number_or_null(p.p90), number_or_null(p.p99), p.in_flight});
}

point point_of(double t, double dt, const call_figures& delta, double in_flight) {
  point p;
  p.t = t;
  p.rate = dt > 0 ? static_cast<double>(delta.requests) / dt : 0;
  p.errors = dt > 0 ? static_cast<double>(delta.errors) / dt : 0;
  p.p50 = delta.quantile_ms(0.5);
  p.p90 = delta.quantile_ms(0.9);
  p.p99 = delta.quantile_ms(0.99);
  p.in_flight = in_flight;
  return p;
}

}  // namespace

void call_figures::add(const call_figures& o) {
  requests += o.requests;
  errors += o.errors;
  if (o.counts.empty())
    return;
  if (counts.empty()) {
    bounds_us = o.bounds_us;
    counts = o.counts;
  } else if (bounds_us == o.bounds_us) {
    for (std::size_t i = 0; i < counts.size(); ++i)
      counts[i] += o.counts[i];
  }
}

call_figures call_figures::since(const call_figures& before) const {
  bool restarted = requests < before.requests || errors < before.errors || bounds_us != before.bounds_us;
  for (std::size_t i = 0; !restarted && i < counts.size() && i < before.counts.size(); ++i)
    restarted = counts[i] < before.counts[i];
  if (restarted)
    return *this;
  call_figures d = *this;
  d.requests -= before.requests;
  d.errors -= before.errors;
  for (std::size_t i = 0; i < d.counts.size() && i < before.counts.size(); ++i)
    d.counts[i] -= before.counts[i];
  return d;
}

double call_figures::quantile_ms(double q) const {
  std::uint64_t total = 0;
  for (auto c : counts)
    total += c;
  if (total == 0)
    return -1;
  double rank = q * static_cast<double>(total);
  double seen = 0;
  for (std::size_t i = 0; i < counts.size(); ++i) {
    if (counts[i] == 0)
      continue;
    double lower = i == 0 ? 0.0 : bounds_us[i - 1];
    if (i == bounds_us.size())  // above the last bound: the bound is all we know
      return lower / 1000.0;
    if (seen + static_cast<double>(counts[i]) >= rank) {
      double within = (rank - seen) / static_cast<double>(counts[i]);
      return (lower + within * (bounds_us[i] - lower)) / 1000.0;
    }
    seen += static_cast<double>(counts[i]);
  }
  return bounds_us.empty() ? -1 : bounds_us.back() / 1000.0;
}

node_figures parse_debug_stats(const nlohmann::json& stats) {
  node_figures out;
  if (!stats.is_object())
    return out;
  out.in_flight = count_of(stats, "in_flight");
  out.memory = count_of(stats, "memory");
  if (auto up = stats.find("uptime"); up != stats.end() && up->is_number_integer())
    out.uptime = up->get<std::int64_t>();
  auto eps = stats.find("endpoints");
  if (eps == stats.end() || !eps->is_object()) {
    out.all = parse_calls(stats);  // every call, the dashboard's own Debug.* ones included
    return out;
  }
  for (auto& [name, figures] : eps->items()) {
    if (!figures.is_object())
      continue;
    auto calls = parse_calls(figures);
    out.all.add(calls);
    out.endpoints.emplace(name, std::move(calls));
  }
  return out;
}

void stats_book::push(std::deque<point>& chart, const point& p) const {
  chart.push_back(p);
  while (chart.size() > history_)
    chart.pop_front();
}

void stats_book::record(const std::string& service, double t,
                        const std::vector<std::pair<std::string, node_figures>>& nodes) {
  std::lock_guard<std::mutex> guard{mutex_};
  auto& svc = services_[service];
  std::map<std::string, call_figures> sums;  // "*" and each endpoint, this round's calls
  double rate_sum = 0, error_sum = 0, in_flight = 0;
  std::map<std::string, std::pair<double, double>> endpoint_rates;  // calls/s, errors/s
  bool any = false;
  std::set<std::string> live;
  for (auto& [id, now] : nodes) {
    live.insert(id);
    auto it = svc.nodes.find(id);
    if (it == svc.nodes.end()) {  // first figures of this node: a baseline, no point yet
      svc.nodes[id] = node_state{t, now, {}};
      continue;
    }
    auto& st = it->second;
    double dt = t - st.t;
    if (dt <= 0)
      continue;
    any = true;
    auto all = now.all.since(st.last.all);
    auto p = point_of(t, dt, all, static_cast<double>(now.in_flight));
    push(st.charts["*"], p);
    rate_sum += p.rate;
    error_sum += p.errors;
    in_flight += p.in_flight;
    sums["*"].add(all);
    for (auto& [name, figures] : now.endpoints) {
      auto before = st.last.endpoints.find(name);
      auto delta = before == st.last.endpoints.end() ? figures : figures.since(before->second);
      auto ep = point_of(t, dt, delta, 0);
      push(st.charts[name], ep);
      sums[name].add(delta);
      endpoint_rates[name].first += ep.rate;
      endpoint_rates[name].second += ep.errors;
    }
    st.t = t;
    st.last = now;
  }
  for (auto it = svc.nodes.begin(); it != svc.nodes.end();)
    it = live.count(it->first) ? std::next(it) : svc.nodes.erase(it);
  if (!any)
    return;
  // Summed: rates add up per node (each over its own interval), percentiles come from the
  // histograms added up.
  for (auto& [name, delta] : sums) {
    auto p = point_of(t, 1, delta, 0);
    if (name == "*") {
      p.rate = rate_sum;
      p.errors = error_sum;
      p.in_flight = in_flight;
    } else {
      p.rate = endpoint_rates[name].first;
      p.errors = endpoint_rates[name].second;
    }
    push(svc.charts[name], p);
  }
}

void stats_book::retain(const std::set<std::string>& live) {
  std::lock_guard<std::mutex> guard{mutex_};
  for (auto it = services_.begin(); it != services_.end();)
    it = live.count(it->first) ? std::next(it) : services_.erase(it);
}

nlohmann::json stats_book::view(const std::string& service, const std::string& node) const {
  std::lock_guard<std::mutex> guard{mutex_};
  auto svc = services_.find(service);
  if (svc == services_.end())
    return nullptr;
  const std::map<std::string, std::deque<point>>* charts = &svc->second.charts;
  if (!node.empty()) {
    auto n = svc->second.nodes.find(node);
    if (n == svc->second.nodes.end())
      return nullptr;
    charts = &n->second.charts;
  }
  nlohmann::json out{{"service", service}, {"node", node}, {"endpoints", nlohmann::json::object()}};
  for (auto& [name, chart] : *charts) {
    auto& points = out["endpoints"][name] = nlohmann::json::array();
    for (auto& p : chart)
      points.push_back(to_json(p));
  }
  auto& list = out["nodes"] = nlohmann::json::array();
  for (auto& [id, st] : svc->second.nodes) {
    nlohmann::json row{{"id", id}, {"memory", st.last.memory}, {"uptime", st.last.uptime},
                       {"in_flight", st.last.in_flight}, {"requests", st.last.all.requests},
                       {"errors_total", st.last.all.errors}};
    auto c = st.charts.find("*");
    if (c != st.charts.end() && !c->second.empty()) {
      auto& p = c->second.back();
      row["rate"] = std::round(p.rate * 100) / 100;
      row["errors"] = std::round(p.errors * 100) / 100;
      row["p50"] = number_or_null(p.p50);
      row["p99"] = number_or_null(p.p99);
    }
    list.push_back(std::move(row));
  }
  return out;
}

}  // namespace micro::web
