#include "actors/registry_watcher.hpp"

#include <algorithm>
#include <atomic>
#include <map>
#include <thread>

#include "actors/default_handler.hpp"
#include "caf/all.hpp"

namespace micro::actors {

namespace {

using fetched_atom = caf::atom_constant<caf::atom("m_fetched")>;
using watch_broke_atom = caf::atom_constant<caf::atom("m_wbroke")>;
using rewatch_atom = caf::atom_constant<caf::atom("m_rewatch")>;

// A backend lookup is bounded by the backend itself (mdns: its settle timeout); this only
// guards against a backend that never returns.
constexpr std::chrono::seconds fetch_bound{15};
// After the event stream broke, how long before a new watch is opened (a backend that keeps
// refusing must not be spun on).
constexpr std::chrono::seconds rewatch_delay{1};
constexpr std::chrono::milliseconds watch_poll{250};

// Pulls events from the backend's watcher on its own thread and hands them to the actor.
// Holds the actor weakly, so the thread never keeps it alive.
class watch_thread {
 public:
  watch_thread(std::unique_ptr<registry::watcher> w, caf::weak_actor_ptr owner)
      : watcher_(std::move(w)), thread_([this, owner] { run(owner); }) {}

  ~watch_thread() {
    closing_ = true;
    watcher_->stop();
    thread_.join();
  }

 private:
  void run(caf::weak_actor_ptr owner) {
    while (!watcher_->stopped()) {
      auto ev = watcher_->next(watch_poll);
      auto strong = owner.lock();
      if (!strong)
        return;
      auto actor = caf::actor_cast<caf::actor>(strong);
      if (ev)
        caf::anon_send(actor, registry_event_atom::value, std::move(*ev));
      else if (watcher_->stopped() && !closing_)
        caf::anon_send(actor, watch_broke_atom::value, watcher_->overflowed());
    }
  }

  std::unique_ptr<registry::watcher> watcher_;
  std::atomic<bool> closing_{false};  // stopped by us: not a broken stream
  std::thread thread_;
};

struct watcher_state {
  std::shared_ptr<registry::registry> backend;
  std::shared_ptr<registry::cache> cache;
  std::unique_ptr<watch_thread> watching;
  // Lookups waiting for the one backend fetch of their name, and the events that arrived
  // meanwhile: applied after the fetch is stored, except those the fetch already reflects
  // (registry::cache::apply skips them by revision). Some of them were published before the
  // fetch read the backend and some after, and their order against the fetch's answer is lost on
  // the way (two threads): a stale snapshot applied on top of the answer would undo it.
  std::map<std::string, std::vector<caf::response_promise>> waiting;
  std::map<std::string, std::vector<registry::event>> held_events;
  std::vector<caf::actor> subscribers;
  static inline const char* name = "micro.registry_watcher";
};

using watcher_self = caf::stateful_actor<watcher_state>;

void open_watch(watcher_self* self) {
  auto& st = self->state;
  st.watching.reset();  // joins the old thread first
  st.watching = std::make_unique<watch_thread>(st.backend->watch(), caf::weak_actor_ptr{self->ctrl()});
}

// Runs one blocking backend lookup on a thread of its own and answers with its result.
caf::behavior fetcher(caf::event_based_actor* self, std::shared_ptr<registry::registry> backend) {
  return {
    [self, backend](lookup_atom, const std::string& name) {
      self->quit();
      return backend->get_service_snapshot(name);
    },
  };
}

void finish_fetch(watcher_self* self, const std::string& name, registry::service_snapshot fetched) {
  auto& st = self->state;
  auto answer = std::move(fetched.services);
  st.cache->store(name, answer, fetched.revision);
  if (auto held = st.held_events.find(name); held != st.held_events.end()) {
    for (auto& ev : held->second)
      st.cache->apply(ev);
    st.held_events.erase(held);
  }
  if (!answer.ok() && answer.st.code == registry::errc::unavailable) {
    // The backend cannot answer now: what we knew is better than nothing.
    if (auto known = st.cache->stale(name); known && !known->empty())
      answer = lookup_result{{}, std::move(*known)};
  } else if (auto now = st.cache->lookup(name); now && now->ok()) {
    answer = std::move(*now);  // includes the held events
  }
  auto promises = std::move(st.waiting[name]);
  st.waiting.erase(name);
  for (auto& rp : promises)
    rp.deliver(answer);
}

caf::behavior registry_watcher(watcher_self* self, std::shared_ptr<registry::registry> backend,
                               std::shared_ptr<registry::cache> cache) {
  install_default_handler(self);
  self->state.backend = std::move(backend);
  self->state.cache = std::move(cache);
  open_watch(self);
  self->set_down_handler([self](caf::down_msg& msg) {
    auto& subs = self->state.subscribers;
    subs.erase(std::remove_if(subs.begin(), subs.end(), [&](const caf::actor& a) { return a.address() == msg.source; }),
               subs.end());
  });
  return {
    [self](lookup_atom, const std::string& name) -> caf::result<lookup_result> {
      auto& st = self->state;
      if (auto hit = st.cache->lookup(name))
        return std::move(*hit);
      auto rp = self->make_response_promise<lookup_result>();
      auto& waiters = st.waiting[name];
      waiters.push_back(rp);
      if (waiters.size() > 1)
        return rp;  // a fetch of this name is under way
      auto worker = self->spawn<caf::detached>(fetcher, st.backend);
      self->request(worker, fetch_bound, lookup_atom::value, name)
        .then([self, name](registry::service_snapshot& fetched) { finish_fetch(self, name, std::move(fetched)); },
              [self, name](caf::error& err) {
                finish_fetch(self, name,
                             registry::service_snapshot{
                               lookup_result{registry::make_error(registry::errc::unavailable, self->state.backend->name(),
                                                                  "lookup of \"" + name + "\" failed: "
                                                                    + self->system().render(err)),
                                             {}},
                               0});
              });
      return rp;
    },
    [self](registry_event_atom, registry::event& ev) {
      auto& st = self->state;
      if (st.waiting.count(ev.svc.name))
        st.held_events[ev.svc.name].push_back(ev);
      else
        st.cache->apply(ev);
      for (auto& sub : st.subscribers)
        self->send(sub, registry_event_atom::value, ev);
    },
    [self](watch_broke_atom, bool overflowed) {
      // Events were lost (overflow) or the backend ended the watch: nothing cached can be
      // trusted to be current any more.
      self->state.cache->mark_all_stale();
      if (overflowed)
        open_watch(self);
      else
        self->delayed_send(self, rewatch_delay, rewatch_atom::value);
    },
    [self](rewatch_atom) { open_watch(self); },
    [self](subscribe_atom, caf::actor& sub) {
      self->monitor(sub);
      self->state.subscribers.push_back(std::move(sub));
    },
    [self](unsubscribe_atom, const caf::actor& sub) {
      auto& subs = self->state.subscribers;
      subs.erase(std::remove(subs.begin(), subs.end(), sub), subs.end());
      self->demonitor(sub);
    },
  };
}

}  // namespace

caf::actor spawn_registry_watcher(caf::actor_system& sys, std::shared_ptr<registry::registry> backend,
                                  std::shared_ptr<registry::cache> cache) {
  return sys.spawn(registry_watcher, std::move(backend), std::move(cache));
}

}  // namespace micro::actors
