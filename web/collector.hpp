#pragma once
// The dashboard's view of the cluster, refreshed every interval on a thread of its own: the
// registry's services, versions, endpoints and nodes, each node's Debug.Health, and each node's
// Debug.Stats into the stats book. The calls are asynchronous (api::async_caller), all nodes at
// once, each bounded by the interval, so a dead or frozen node delays a round by one timeout at
// most. Rounds run only while someone looks (a page asked within the last `idle_after`), so a
// dashboard nobody opens costs no calls.

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "micro/client.hpp"
#include "web/stats.hpp"

namespace micro::api {
class async_caller;
}

namespace micro::web {

struct collector_options {
  std::chrono::milliseconds interval{1000};
  std::chrono::milliseconds idle_after{30000};
};

class collector {
 public:
  /// Reads through `client` (which must outlive this); starts its thread.
  collector(micro::client& client, api::async_caller& caller, collector_options opts);
  ~collector();  // stop()
  collector(const collector&) = delete;
  collector& operator=(const collector&) = delete;

  /// A page looked: keeps the rounds going (and starts one at once after an idle spell).
  void touch();
  /// The last round's catalog: {"registry","updated","round","services":[{"name","versions",
  /// "metadata","endpoints":[{"name","request","response","metadata"}],"nodes":[{"id","address",
  /// "version","metadata","health","health_detail","health_ms"}]}],"error"?}. Waits for the
  /// first round if none ran yet (at most one interval).
  nlohmann::json catalog();
  const stats_book& stats() const { return stats_; }
  void stop();

 private:
  void loop();
  void round();

  micro::client& client_;
  api::async_caller& caller_;
  const collector_options opts_;
  stats_book stats_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::chrono::steady_clock::time_point last_touch_;
  std::uint64_t rounds_ = 0;
  nlohmann::json catalog_;
  std::thread thread_;
};

}  // namespace micro::web
