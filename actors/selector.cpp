#include "actors/selector.hpp"

#include <algorithm>
#include <limits>

namespace micro::actors {

selector::selector(selector_config cfg) : cfg_(cfg) {}

bool selector::eligible(node_marks& m, clock::time_point now) const {
  switch (m.state) {
    case circuit::closed: return true;
    case circuit::open:
      if (now < m.open_until)
        return false;
      m.state = circuit::half_open;  // the back-off is over: one probe may go
      m.probing = false;
      return true;
    case circuit::half_open: return !m.probing;
  }
  return false;
}

void selector::open(node_marks& m, clock::time_point now, bool relapse) {
  if (relapse && m.backoff.count() > 0)
    m.backoff = std::min(m.backoff * 2, std::max(cfg_.max_circuit_backoff, cfg_.circuit_backoff));
  else if (m.state == circuit::closed || m.backoff.count() == 0)
    m.backoff = cfg_.circuit_backoff;
  m.state = circuit::open;
  m.open_until = now + m.backoff;
  m.probing = false;
}

std::optional<std::string> selector::pick(const std::string& service, strategy s,
                                          const std::vector<std::string>& candidates,
                                          const std::vector<std::string>& tried, clock::time_point now,
                                          std::string& why) {
  auto was_tried = [&](const std::string& a) { return std::find(tried.begin(), tried.end(), a) != tried.end(); };
  std::vector<const std::string*> fresh, again;  // untried first; tried ones only if nothing else
  for (const auto& a : candidates) {
    if (!eligible(nodes_[a], now))
      continue;
    (was_tried(a) ? again : fresh).push_back(&a);
  }
  if (fresh.empty() && again.empty() && !candidates.empty()) {
    // Every node's circuit is open. Refusing all calls would turn a brief outage of every node
    // into one as long as the longest back-off, so all of them are candidates again (Envoy's
    // "panic mode"); untried ones first.
    for (const auto& a : candidates)
      (was_tried(a) ? again : fresh).push_back(&a);
    ++panics_;
  }
  auto& pool = fresh.empty() ? again : fresh;
  if (pool.empty()) {
    why = "no candidate nodes";
    return std::nullopt;
  }
  // A stable order, so roundrobin is exact whatever order the registry lists nodes in.
  std::sort(pool.begin(), pool.end(), [](const std::string* a, const std::string* b) { return *a < *b; });
  const std::string* chosen = nullptr;
  switch (s) {
    case strategy::random: {
      std::uniform_int_distribution<std::size_t> d{0, pool.size() - 1};
      chosen = pool[d(rng_)];
      break;
    }
    case strategy::roundrobin:
      chosen = pool[next_in_turn_[service]++ % pool.size()];
      break;
    case strategy::leastconn: {
      std::size_t least = std::numeric_limits<std::size_t>::max();
      std::vector<const std::string*> ties;
      for (auto* a : pool) {
        auto n = nodes_[*a].outstanding;
        if (n < least) {
          least = n;
          ties.clear();
        }
        if (n == least)
          ties.push_back(a);
      }
      std::uniform_int_distribution<std::size_t> d{0, ties.size() - 1};
      chosen = ties[d(rng_)];
      break;
    }
    case strategy::latency: {
      // Expected wait = latency x (calls ahead + 1); weight = its inverse. A node never measured
      // gets the mean of the others, so it is tried and measured (as brpc's balancer does).
      double sum = 0;
      std::size_t known = 0;
      for (auto* a : pool)
        if (auto l = nodes_[*a].latency_us; l > 0) {
          sum += l;
          ++known;
        }
      const double fallback = known ? sum / static_cast<double>(known) : 1000.0;
      std::vector<double> weights;
      for (auto* a : pool) {
        const auto& m = nodes_[*a];
        const double latency = m.latency_us > 0 ? m.latency_us : fallback;
        weights.push_back(1.0 / (latency * static_cast<double>(m.outstanding + 1)));
      }
      std::discrete_distribution<std::size_t> d{weights.begin(), weights.end()};
      chosen = pool[d(rng_)];
      break;
    }
  }
  return *chosen;
}

bool selector::started(const std::string& address) {
  auto& m = nodes_[address];
  ++m.outstanding;
  if (m.state != circuit::half_open || m.probing)
    return false;
  m.probing = true;
  return true;
}

void selector::finished(const std::string& address, bool probe) {
  auto& m = nodes_[address];
  if (m.outstanding > 0)
    --m.outstanding;
  if (probe && m.state == circuit::half_open)
    m.probing = false;  // the probe said nothing about the node: the next call probes again
}

void selector::succeeded(const std::string& address, std::chrono::nanoseconds latency) {
  auto& m = nodes_[address];
  if (m.outstanding > 0)
    --m.outstanding;
  m.failures_in_row = 0;
  m.state = circuit::closed;
  m.probing = false;
  m.backoff = std::chrono::milliseconds{0};
  const double us = static_cast<double>(latency.count()) / 1000.0;
  m.latency_us = m.latency_us > 0 ? (1 - cfg_.latency_weight) * m.latency_us + cfg_.latency_weight * us : us;
}

void selector::failed(const std::string& address, bool counts, clock::time_point now, bool probe) {
  auto& m = nodes_[address];
  if (m.outstanding > 0)
    --m.outstanding;
  const bool probe_ended = probe && m.state == circuit::half_open;
  if (!counts) {
    if (probe_ended)
      m.probing = false;
    return;
  }
  ++m.failures_in_row;
  if (probe_ended)
    open(m, now, true);  // the probe failed
  else if (m.state == circuit::closed && m.failures_in_row >= cfg_.failure_threshold)
    open(m, now, false);
}

void selector::down(const std::string& address, clock::time_point now) {
  auto& m = nodes_[address];
  if (m.state == circuit::open && now < m.open_until)
    return;
  open(m, now, m.state == circuit::half_open);
}

void selector::reset(const std::vector<std::string>& addresses) {
  for (const auto& a : addresses) {
    auto it = nodes_.find(a);
    if (it == nodes_.end())
      continue;
    auto outstanding = it->second.outstanding;
    it->second = node_marks{};
    it->second.outstanding = outstanding;
  }
}

const node_marks* selector::marks(const std::string& address) const {
  auto it = nodes_.find(address);
  return it == nodes_.end() ? nullptr : &it->second;
}

}  // namespace micro::actors
