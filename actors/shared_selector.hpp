#pragma once
// The process's selector (actors/selector.hpp) behind one mutex, so that two paths can pick and
// mark: the client actor (calls over CAF, stream opens) and the direct path of calls to nodes over
// a byte transport (actors/direct_calls.hpp), which picks on the caller's thread and marks from
// the transport's I/O thread without a hop through the client actor. Each method is one short
// critical section. It also mirrors each node's circuit into micro_client_circuit_state.

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "actors/selector.hpp"
#include "metrics/registry.hpp"

namespace micro::actors {

class shared_selector {
 public:
  using clock = selector::clock;

  explicit shared_selector(selector_config cfg = {}) : selector_{cfg} {}

  struct choice {
    std::string address;
    bool probe = false;  // the node's half-open probe: pass it back with the outcome
  };
  /// selector::pick, then selector::started on the node picked.
  std::optional<choice> pick(const std::string& service, strategy s, const std::vector<std::string>& candidates,
                             const std::vector<std::string>& tried, clock::time_point now, std::string& why);
  /// An attempt answered well after `latency`.
  void succeeded(const std::string& service, const std::string& address, std::chrono::nanoseconds latency);
  /// An attempt failed; `counts`: against the node (not a 4xx); `node_down`: nothing reached it.
  void failed(const std::string& service, const std::string& address, bool counts, bool node_down,
              clock::time_point now, bool probe);
  /// An attempt ended before it was sent (no time left): bookkeeping only.
  void finished(const std::string& address, bool probe);
  /// The node's connection went down.
  void down(const std::string& address, clock::time_point now);
  void reset(const std::vector<std::string>& addresses);

 private:
  void note_circuit(const std::string& service, const std::string& address);  // with mutex_ held

  std::mutex mutex_;  // guards everything below
  selector selector_;
  // Each node's circuit gauge (made when its circuit first leaves "closed"), and how many of them
  // are not closed: a success needs to look only while one is.
  std::unordered_map<std::string, metrics::gauge*> circuits_;
  std::size_t circuits_not_closed_ = 0;
};

}  // namespace micro::actors
