// One long-lived watch request on etcd's JSON gateway (POST /v3/watch answers with a stream of
// JSON messages, one per line), on libcurl's multi interface so that stop() ends it at once.
// While the stream is open, the same endpoint's /health is probed every probe_interval: a
// silent stream cannot tell "no changes" from "etcd unreachable" (a cut link sends no RST).
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "registry/status.hpp"

namespace micro::registry {

struct etcd_watch_options {
  std::chrono::milliseconds connect_timeout{1000};
  std::chrono::milliseconds probe_interval{1000};
  std::chrono::milliseconds probe_timeout{1000};
  // A single message longer than this ends the stream (it comes from the network).
  std::size_t max_message_bytes = 16u << 20;
};

class etcd_watch_stream {
 public:
  // One gateway message ({"result": {...}}). Returning false ends the stream (run returns ok).
  using message_handler = std::function<bool(const nlohmann::json&)>;

  explicit etcd_watch_stream(etcd_watch_options opts = {});
  ~etcd_watch_stream();
  etcd_watch_stream(const etcd_watch_stream&) = delete;
  etcd_watch_stream& operator=(const etcd_watch_stream&) = delete;

  // Opens the watch at `endpoint` with `request` ({"create_request": ...}) and hands every
  // message to `on_message` until stop() (ok), on_message returns false (ok), or the stream
  // fails: connection refused or lost, a probe unanswered, a bad message (unavailable).
  status run(const std::string& endpoint, const nlohmann::json& request,
             const message_handler& on_message);

  // Thread-safe; makes a running or later run() return at once.
  void stop();

 private:
  struct state;
  std::unique_ptr<state> state_;
};

}  // namespace micro::registry
