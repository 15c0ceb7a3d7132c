#include "registry/cache.hpp"

#include <algorithm>

namespace micro::registry {

cache::cache(std::string registry_name, std::chrono::milliseconds miss_ttl)
    : registry_name_(std::move(registry_name)), miss_ttl_(miss_ttl) {}

std::optional<result<std::vector<service>>> cache::lookup(const std::string& name) const {
  std::lock_guard<std::mutex> lk(mtx_);
  auto it = entries_.find(name);
  if (it == entries_.end() || it->second.stale)
    return std::nullopt;
  const auto& e = it->second;
  if (e.miss) {
    if (clock::now() >= e.miss_until)
      return std::nullopt;
    return result<std::vector<service>>{status{errc::not_found, e.miss_message + " (a remembered miss)"}, {}};
  }
  result<std::vector<service>> hit;  // built step by step: GCC 12 -O3 misreads the aggregate form
  hit.value = e.versions;
  return hit;
}

std::optional<std::vector<service>> cache::stale(const std::string& name) const {
  std::lock_guard<std::mutex> lk(mtx_);
  auto it = entries_.find(name);
  if (it == entries_.end() || it->second.miss)
    return std::nullopt;
  return it->second.versions;
}

void cache::store(const std::string& name, const result<std::vector<service>>& answer, std::uint64_t revision) {
  std::lock_guard<std::mutex> lk(mtx_);
  if (answer.ok() && !answer.value.empty()) {
    entries_[name] = entry{answer.value, false, false, {}, {}, revision};
  } else if (answer.ok() || answer.st.code == errc::not_found) {
    auto why = answer.ok() ? make_error(errc::not_found, registry_name_, "service \"" + name + "\" has no versions").message
                           : answer.st.message;
    entries_[name] = entry{{}, true, false, clock::now() + miss_ttl_, std::move(why), revision};
  }
}

void cache::apply(const event& ev) {
  std::lock_guard<std::mutex> lk(mtx_);
  auto it = entries_.find(ev.svc.name);
  if (it == entries_.end())
    return;
  auto& e = it->second;
  if (ev.revision != 0 && ev.revision <= e.revision)
    return;  // published before the stored answer was read: it already holds this, or newer
  e.revision = std::max(e.revision, ev.revision);
  auto& versions = e.versions;
  auto same_version = [&](const service& s) { return s.version == ev.svc.version; };
  auto found = std::find_if(versions.begin(), versions.end(), same_version);
  if (ev.type == event_type::remove) {
    if (found != versions.end())
      versions.erase(found);
    if (versions.empty() && !e.miss) {
      // The last version went: remember the absence like a fetched miss.
      e.miss = true;
      e.miss_until = clock::now() + miss_ttl_;
      e.miss_message =
        make_error(errc::not_found, registry_name_, "service \"" + ev.svc.name + "\" is gone: its last node left").message;
    }
    return;
  }
  // create/update: the event carries the whole version (a snapshot).
  if (found != versions.end())
    *found = ev.svc;
  else
    versions.push_back(ev.svc);
  std::sort(versions.begin(), versions.end(),
            [](const service& a, const service& b) { return a.version < b.version; });
  e.miss = false;
}

void cache::mark_all_stale() {
  std::lock_guard<std::mutex> lk(mtx_);
  for (auto& [name, e] : entries_)
    e.stale = true;
}

std::vector<std::string> cache::cached_names() const {
  std::lock_guard<std::mutex> lk(mtx_);
  std::vector<std::string> out;
  for (const auto& [name, e] : entries_)
    if (!e.miss && !e.stale)
      out.push_back(name);
  return out;
}

}  // namespace micro::registry
