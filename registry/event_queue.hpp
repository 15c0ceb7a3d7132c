// The bounded, never-blocking fan-out queue behind a backend's watchers. A
// backend keeps one shared event_queue per watcher and pushes to it under its
// own lock; the consumer pops through the watcher handed out by
// make_queue_watcher(); watcher_set does both for a backend (memory, mdns).
#pragma once

#include <condition_variable>
#include <vector>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>

#include "registry/watcher.hpp"

namespace micro::registry {

class event_queue {
 public:
  // `service_filter` empty = all services. `capacity` is clamped to at least 1.
  event_queue(std::string service_filter, std::size_t capacity);

  // True if this queue wants events about `service_name`.
  bool wants(const std::string& service_name) const;

  // Producer side; never blocks on the consumer. If the queue is full the
  // watcher is stopped and marked overflowed rather than dropping one event
  // quietly (a registration must not wait for a slow consumer, and a consumer
  // must not believe it saw every change). Returns false once the queue is
  // stopped, so the backend can forget it.
  bool push(event ev);

  // Producer side: the backend is going away; ends the stream (not an overflow).
  void close();

  // Consumer side.
  std::optional<event> pop(std::chrono::milliseconds timeout);
  void stop();
  bool stopped() const;
  bool overflowed() const;

 private:
  const std::string filter_;
  const std::size_t capacity_;
  mutable std::mutex mtx_;
  std::condition_variable cv_;
  std::deque<event> events_;
  bool stopped_ = false;
  bool overflowed_ = false;
};

// The consumer's handle. Destroying it stops the queue, so a forgotten watcher
// costs the backend nothing after its next push.
std::unique_ptr<watcher> make_queue_watcher(std::shared_ptr<event_queue> queue);

// All watchers of one backend: hands out queue watchers and fans events out to
// them. Not locked itself: the backend calls it under its own lock, so every
// watcher sees changes in the order they happened.
class watcher_set {
 public:
  explicit watcher_set(std::size_t capacity) : capacity_(capacity) {}
  std::unique_ptr<watcher> add(const std::string& service_name);
  // Numbers the change (event::revision) and sends it to the watchers that want it; drops
  // watchers that stopped or overflowed on the way.
  void publish(event_type type, service svc);
  // The same for a backend that numbers changes itself (etcd: its revisions), so events compare
  // with the revision its lookups report.
  void publish_numbered(event ev);
  void close_all();
  // The revision of the last change published (0: none yet). Read under the backend's lock
  // together with its state, it says which events that state already reflects.
  std::uint64_t revision() const { return revision_; }

 private:
  std::size_t capacity_;
  std::uint64_t revision_ = 0;
  std::vector<std::shared_ptr<event_queue>> queues_;
};

}  // namespace micro::registry
