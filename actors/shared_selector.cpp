#include "actors/shared_selector.hpp"

#include "metrics/metrics.hpp"

namespace micro::actors {

std::optional<shared_selector::choice> shared_selector::pick(const std::string& service, strategy s,
                                                             const std::vector<std::string>& candidates,
                                                             const std::vector<std::string>& tried,
                                                             clock::time_point now, std::string& why) {
  std::lock_guard lock{mutex_};
  auto picked = selector_.pick(service, s, candidates, tried, now, why);
  if (!picked)
    return std::nullopt;
  choice c;
  c.probe = selector_.started(*picked);
  c.address = std::move(*picked);
  return c;
}

void shared_selector::succeeded(const std::string& service, const std::string& address,
                                std::chrono::nanoseconds latency) {
  std::lock_guard lock{mutex_};
  selector_.succeeded(address, latency);
  if (circuits_not_closed_ > 0)
    note_circuit(service, address);
}

void shared_selector::failed(const std::string& service, const std::string& address, bool counts, bool node_down,
                             clock::time_point now, bool probe) {
  std::lock_guard lock{mutex_};
  selector_.failed(address, counts, now, probe);
  if (node_down)
    selector_.down(address, now);
  note_circuit(service, address);
}

void shared_selector::finished(const std::string& address, bool probe) {
  std::lock_guard lock{mutex_};
  selector_.finished(address, probe);
}

void shared_selector::down(const std::string& address, clock::time_point now) {
  std::lock_guard lock{mutex_};
  selector_.down(address, now);
}

void shared_selector::reset(const std::vector<std::string>& addresses) {
  std::lock_guard lock{mutex_};
  selector_.reset(addresses);
}

// Mirrors the circuit of `address` into micro_client_circuit_state (0 closed, 1 open, 2
// half-open). Called after a failure, and after a success only while a circuit is not closed, so
// a healthy cluster pays nothing for it.
void shared_selector::note_circuit(const std::string& service, const std::string& address) {
  if (!metrics::enabled())
    return;
  const auto* marks = selector_.marks(address);
  auto value = marks == nullptr ? 0 : static_cast<int64_t>(marks->state);
  auto it = circuits_.find(address);
  if (it == circuits_.end()) {
    if (value == 0)
      return;
    auto* g = &metrics::registry::global().gauge("micro_client_circuit_state",
                                                 "A node's circuit as the client sees it: 0 closed, 1 open, 2 half-open.",
                                                 {{"service", service}, {"node", address}});
    it = circuits_.emplace(address, g).first;
  }
  auto before = it->second->value();
  if ((before == 0) != (value == 0))
    circuits_not_closed_ += value == 0 ? -1 : 1;
  it->second->set(value);
}

}  // namespace micro::actors
