#include "actors/caf_carrier.hpp"

#include <atomic>
#include <mutex>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "actors/client_actor.hpp"
#include "caf/actor_cast.hpp"
#include "caf/actor_companion.hpp"
#include "caf/actor_system.hpp"
#include "caf/default_attachable.hpp"
#include "caf/detail/scope_guard.hpp"
#include "caf/mailbox_element.hpp"

namespace micro::actors {

namespace {

// The companion's requests for node handles use ids of their own, above every attempt id (the
// direct path counts those from 1), so a reply says by its id alone what it answers.
constexpr uint64_t handle_ask_bit = uint64_t{1} << 58;

// Everything the companion's callback touches; shared with it, so a reply being handled while
// the carrier goes away finds it still there.
class carrier_core {
 public:
  carrier_core(caf::actor_system& sys, caf::actor client, outcome_handler on_outcome)
    : sys_{sys}, client_{std::move(client)}, on_outcome_{std::move(on_outcome)} {}

  caf::actor companion;  // set once, right after construction
  std::atomic<bool> closed{false};

  void call(const std::string& address, uint64_t id, const request& req) {
    caf::actor node;
    bool ask = false;
    {
      std::lock_guard lock{mutex_};
      auto& n = nodes_[address];
      if (!n.handle) {
        ask = n.waiting.empty();
        n.waiting.emplace_back(id, req);
        where_.emplace(id, address);
      } else {
        node = n.handle;
        n.in_flight.insert(id);
        where_.emplace(id, address);
      }
    }
    if (node) {
      send(node, id, req);
    } else if (ask) {
      uint64_t ask_id = 0;
      {
        std::lock_guard lock{mutex_};
        ask_id = handle_ask_bit | next_ask_++;
        asks_.emplace(ask_id, address);
      }
      client_->enqueue(caf::make_mailbox_element(companion_ctrl(), caf::make_message_id(ask_id), {},
                                                 node_handle_atom::value, address),
                       nullptr);
    }
  }

  void forget(uint64_t id) {
    std::lock_guard lock{mutex_};
    auto w = where_.find(id);
    if (w == where_.end())
      return;
    auto n = nodes_.find(w->second);
    where_.erase(w);
    if (n == nodes_.end())
      return;
    n->second.in_flight.erase(id);
    auto& waiting = n->second.waiting;
    for (auto it = waiting.begin(); it != waiting.end(); ++it)
      if (it->first == id) {
        waiting.erase(it);
        break;
      }
  }

  // Every message to the companion: replies to attempts and to handle asks, and down messages
  // of the node actors it watches. Any thread (the middleman's, the client actor's worker).
  void on_message(caf::mailbox_element& x) {
    handling = this;
    auto done = caf::detail::make_scope_guard([] { handling = nullptr; });
    dispatch(x);
  }

  // The core whose callback runs on this thread, if any (see ~caf_carrier).
  static thread_local const carrier_core* handling;

 private:
  struct node_state {
    caf::actor handle;                                  // the node actor, once the client actor gave it
    std::vector<std::pair<uint64_t, request>> waiting;  // attempts until then
    std::unordered_set<uint64_t> in_flight;             // attempts sent, awaiting their reply
  };

  caf::strong_actor_ptr companion_ctrl() { return caf::actor_cast<caf::strong_actor_ptr>(companion); }

  void send(const caf::actor& node, uint64_t id, const request& req) {
    node->enqueue(caf::make_mailbox_element(companion_ctrl(), caf::make_message_id(id), {}, req), nullptr);
  }

  void report(uint64_t id, call_outcome o) {
    if (!closed.load(std::memory_order_acquire))
      on_outcome_(id, std::move(o));
  }

  void dispatch(caf::mailbox_element& x) {
    auto& content = x.content();
    if (!x.mid.is_response()) {
      if (content.match_elements<caf::down_msg>())
        node_down(content.get_as<caf::down_msg>(0));
      return;  // nothing else is expected; a stray message is dropped
    }
    auto id = x.mid.request_id().integer_value();
    if ((id & handle_ask_bit) != 0) {
      handle_answered(id, content);
      return;
    }
    {
      std::lock_guard lock{mutex_};
      auto w = where_.find(id);
      if (w == where_.end())
        return;  // forgotten (timed out), or failed by the node's down message
      if (auto n = nodes_.find(w->second); n != nodes_.end())
        n->second.in_flight.erase(id);
      where_.erase(w);
    }
    call_outcome o;
    if (content.match_elements<response>()) {
      o.rsp = std::move(content.get_mutable_as<response>(0));
    } else {
      o.what = call_outcome::kind::lost;
      o.why = content.match_elements<caf::error>() ? sys_.render(content.get_as<caf::error>(0))
                                                     : "unexpected reply " + content.stringify();
    }
    report(id, std::move(o));
  }

  void handle_answered(uint64_t ask_id, caf::type_erased_tuple& content) {
    std::string address;
    {
      std::lock_guard lock{mutex_};
      auto a = asks_.find(ask_id);
      if (a == asks_.end())
        return;
      address = std::move(a->second);
      asks_.erase(a);
    }
    if (content.match_elements<caf::actor>() && content.get_as<caf::actor>(0)) {
      auto node = content.get_as<caf::actor>(0);
      // Watch it before sending on it: a node already down answers the watch at once, and its
      // waiting attempts go back as not delivered (node_down).
      {
        std::lock_guard lock{mutex_};
        watched_.emplace(node.address(), address);
      }
      node->attach(caf::default_attachable::make_monitor(node.address(), companion->address()));
      std::vector<std::pair<uint64_t, request>> ready;
      {
        std::lock_guard lock{mutex_};
        auto n = nodes_.find(address);
        if (n == nodes_.end())
          return;  // down already
        n->second.handle = node;
        ready = std::move(n->second.waiting);
        n->second.waiting.clear();
        for (auto& [id, req] : ready)
          n->second.in_flight.insert(id);
      }
      for (auto& [id, req] : ready)
        send(node, id, req);
      return;
    }
    auto why = content.match_elements<caf::error>() ? sys_.render(content.get_as<caf::error>(0))
                                                      : "no node actor at " + address;
    fail_node(address, why);
  }

  void node_down(const caf::down_msg& msg) {
    std::string address;
    {
      std::lock_guard lock{mutex_};
      auto w = watched_.find(msg.source);
      if (w == watched_.end())
        return;
      address = std::move(w->second);
      watched_.erase(w);
    }
    auto why = "node at " + address + " went down (" + sys_.render(msg.reason) + ")";
    fail_node(address, why);
  }

  // The node is gone (or cannot be reached): its waiting attempts were never sent, its attempts
  // in flight are lost. The next call asks the client actor again (it reconnects).
  void fail_node(const std::string& address, const std::string& why) {
    node_state gone;
    {
      std::lock_guard lock{mutex_};
      auto n = nodes_.find(address);
      if (n == nodes_.end())
        return;
      gone = std::move(n->second);
      nodes_.erase(n);
      for (auto& [id, req] : gone.waiting)
        where_.erase(id);
      for (auto id : gone.in_flight)
        where_.erase(id);
    }
    for (auto& [id, req] : gone.waiting)
      report(id, call_outcome{call_outcome::kind::not_delivered, {}, why});
    for (auto id : gone.in_flight)
      report(id, call_outcome{call_outcome::kind::lost, {}, why});
  }

  caf::actor_system& sys_;
  caf::actor client_;
  outcome_handler on_outcome_;
  std::mutex mutex_;  // guards everything below
  std::unordered_map<std::string, node_state> nodes_;         // by node address
  std::unordered_map<uint64_t, std::string> where_;           // attempt id -> node address
  std::unordered_map<uint64_t, std::string> asks_;            // handle ask id -> node address
  std::unordered_map<caf::actor_addr, std::string> watched_;  // node actor -> its address
  uint64_t next_ask_ = 1;
};

thread_local const carrier_core* carrier_core::handling = nullptr;

class caf_carrier final : public call_carrier {
 public:
  caf_carrier(caf::actor_system& sys, caf::actor client, outcome_handler on_outcome)
    : core_{std::make_shared<carrier_core>(sys, std::move(client), std::move(on_outcome))} {
    // Hidden: the actor system does not wait for it at shutdown; the destructor ends it.
    core_->companion = sys.spawn<caf::actor_companion, caf::hidden>();
    companion()->on_enqueue([core = core_](caf::mailbox_element_ptr x) { core->on_message(*x); });
  }

  ~caf_carrier() override { close(); }

  void close() override {
    if (core_->closed.exchange(true))
      return;  // nothing is reported after this
    // Ending the companion takes its lock, which the thread running its callback holds: from
    // inside the callback it stays (hidden, it holds no thread, and reports nothing any more).
    if (carrier_core::handling == core_.get())
      return;
    companion()->on_enqueue({});
    companion()->cleanup(caf::exit_reason::normal, nullptr);
  }

  void call(const std::string& address, uint64_t id, const request& req) override { core_->call(address, id, req); }
  void forget(uint64_t id) override { core_->forget(id); }

 private:
  caf::actor_companion* companion() { return caf::actor_cast<caf::actor_companion*>(core_->companion); }
  std::shared_ptr<carrier_core> core_;
};

}  // namespace

std::unique_ptr<call_carrier> make_caf_carrier(caf::actor_system& sys, caf::actor client_actor,
                                               outcome_handler on_outcome) {
  return std::make_unique<caf_carrier>(sys, std::move(client_actor), std::move(on_outcome));
}

}  // namespace micro::actors
