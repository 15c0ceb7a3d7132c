// Change notifications. A watcher is a pull-style stream of events for one
// consumer (in micro, the registry watcher actor), like go-micro's Watcher.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

#include "registry/model.hpp"

namespace micro::registry {

// The enumerator is `remove` (`delete` is a keyword); it prints as "delete",
// go-micro's action string, so logs and the CLI read the same as go-micro's.
enum class event_type { create, update, remove };

// "create", "update" or "delete".
const char* to_string(event_type type) noexcept;

// `svc` is a snapshot of ONE (name, version) after the change, not a delta:
// - create: the version appeared; svc has all its nodes.
// - update: nodes were added/removed/changed or the metadata/endpoints changed;
//           svc has all nodes that remain.
// - remove: the version is gone; svc has the nodes it had just before.
// A consumer watches first, then reads the registry, then applies events
// (replace on create/update, drop on remove). An event published before the
// read is older than what the read saw, and a snapshot that old would undo it:
// `revision` tells them apart (registry::get_service_snapshot).
struct event {
  event_type type = event_type::create;
  service svc;
  std::chrono::system_clock::time_point when;
  // The backend's count of changes, this one included: 1, 2, 3, ... across all
  // services and watchers of one backend instance. 0: the backend does not
  // number its changes. Not part of the JSON form (go-micro has no such field).
  std::uint64_t revision = 0;
};

bool operator==(const event& a, const event& b);
bool operator!=(const event& a, const event& b);

// One consumer calls next(); stop() may be called from any thread, and wakes a
// consumer blocked in next().
class watcher {
 public:
  virtual ~watcher();

  // Waits up to `timeout` for the next event. nullopt on timeout, or when the
  // watcher is stopped: then stopped() is true (check it to tell the two apart).
  virtual std::optional<event> next(std::chrono::milliseconds timeout) = 0;

  virtual void stop() = 0;
  virtual bool stopped() const = 0;

  // True when the backend stopped this watcher because the consumer fell behind
  // (its bounded queue filled up). Events were lost, so the consumer must read
  // the registry again and open a new watcher. Implies stopped().
  virtual bool overflowed() const { return false; }
};

}  // namespace micro::registry
