// The registry cache: what a client knows about services, kept current by watch
// events (see actors/registry_watcher.hpp, which owns one). Plain C++ and
// thread-safe, so a call reads it synchronously without a message hop.
//
// - Hits are services fetched once and then kept up to date by events:
//   create/update replace a version, delete drops it. Entries do not expire on a
//   timer: the events are authoritative, and when the event stream breaks the
//   owner marks everything stale and refetches on the next lookup.
// - Misses (the backend said not_found) are remembered for `miss_ttl`, so a
//   storm of calls to a missing service asks the backend once; a create event
//   for that name ends the miss at once.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "registry/model.hpp"
#include "registry/status.hpp"
#include "registry/watcher.hpp"

namespace micro::registry {

class cache {
 public:
  using clock = std::chrono::steady_clock;

  // `registry_name` names the backend in the messages the cache makes itself.
  explicit cache(std::string registry_name, std::chrono::milliseconds miss_ttl = std::chrono::milliseconds{1000});

  // What the cache can answer without the backend: the versions of `name`
  // (a hit), or the remembered not_found (a miss). nullopt: ask the backend.
  // A stale entry is not an answer (but see `stale`).
  std::optional<result<std::vector<service>>> lookup(const std::string& name) const;

  // The last known versions of `name` even if stale: what to serve when the
  // backend cannot be reached.
  std::optional<std::vector<service>> stale(const std::string& name) const;

  // Stores the backend's answer for `name`: versions, or a miss if not_found.
  // Other errors (unavailable) are not cached. `revision`: the last event the
  // answer reflects (registry::service_snapshot), 0 if unknown.
  void store(const std::string& name, const result<std::vector<service>>& answer, std::uint64_t revision = 0);

  // Applies a watch event to a name that is cached (a hit or a miss); events
  // about names nobody asked for are ignored, as go-micro's cache does, and so
  // are events the stored answer already reflects (revision <= its revision):
  // their older snapshot would undo a newer answer.
  void apply(const event& ev);

  // The event stream broke (watcher overflowed or stopped): every entry must be
  // fetched again, but stays available through `stale` meanwhile.
  void mark_all_stale();

  // Names with a fresh (non-stale) hit, sorted.
  std::vector<std::string> cached_names() const;

 private:
  struct entry {
    std::vector<service> versions;  // empty for a miss
    bool miss = false;
    bool stale = false;
    clock::time_point miss_until{};
    std::string miss_message;  // the backend's, naming the registry and what it searched
    std::uint64_t revision = 0;  // the last event reflected (0: unknown, apply everything)
  };

  std::string registry_name_;
  std::chrono::milliseconds miss_ttl_;
  mutable std::mutex mtx_;
  std::map<std::string, entry> entries_;
};

}  // namespace micro::registry
