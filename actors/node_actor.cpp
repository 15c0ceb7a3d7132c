#include "actors/node_actor.hpp"

#include <unordered_map>

#include "actors/atoms.hpp"
#include "actors/basp_guard.hpp"
#include "actors/broker_actor.hpp"
#include "actors/call_gate.hpp"
#include "actors/default_handler.hpp"
#include "actors/metadata_limits.hpp"
#include "actors/service_actor.hpp"
#include "actors/wire.hpp"
#include "caf/all.hpp"
#include "caf/io/all.hpp"

namespace micro::actors {

namespace {

struct served {
  caf::actor actor;                 // stream opens, requests with forwarding stages
  std::shared_ptr<call_gate> gate;  // calls
};

struct node_state {
  std::unordered_map<std::string, served> services;
  caf::actor broker;  // the process's: gets the publications sent to this node
  static inline const char* name = "micro.node";
};

using node_self = caf::stateful_actor<node_state>;

caf::behavior node_actor(node_self* self, caf::actor broker) {
  install_default_handler(self);
  self->state.broker = std::move(broker);
  self->set_down_handler([self](caf::down_msg& msg) {
    auto& services = self->state.services;
    for (auto it = services.begin(); it != services.end();) {
      if (it->second.actor.address() == msg.source)
        it = services.erase(it);
      else
        ++it;
    }
  });
  return {
    [self](request& req) -> caf::result<caf::message> {
      if (auto why = check_metadata(req.metadata); !why.empty())
        return caf::make_message(make_error_response(400, "micro.server", "request refused: " + why));
      auto it = self->state.services.find(req.service);
      if (it == self->state.services.end())
        return caf::make_message(make_error_response(404, "micro.server",
                                                     "service " + req.service + " is not served by this node"));
      auto& svc = it->second;
      if (!self->current_mailbox_element()->stages.empty())
        return self->delegate(svc.actor, std::move(req));
      // Straight to the service's gate: the worker answers the caller, with no hop through the
      // service actor.
      auto rp = self->make_response_promise();
      svc.gate->accept(std::move(req), reply_to_requester(self, rp));
      return rp;
    },
    [self](stream_open_atom, request& req, uint32_t window, int64_t stream_timeout_ns,
           caf::actor& end) -> caf::result<caf::message> {
      if (auto why = check_metadata(req.metadata); !why.empty())
        return caf::make_message(make_error_response(400, "micro.server", "stream refused: " + why));
      auto it = self->state.services.find(req.service);
      if (it == self->state.services.end())
        return caf::make_message(make_error_response(404, "micro.server",
                                                     "service " + req.service + " is not served by this node"));
      return self->delegate(it->second.actor, stream_open_atom::value, std::move(req), window, stream_timeout_ns,
                            std::move(end));
    },
    [self](publish_atom, std::vector<publication>& items) -> caf::result<caf::message> {
      if (!self->state.broker)
        return caf::make_message(publish_ack{503, "this node has no broker", {}});
      return self->delegate(self->state.broker, publish_atom::value, std::move(items));
    },
    [self](publish_atom, std::string& batch) -> caf::result<caf::message> {  // publication_batch.hpp
      if (!self->state.broker)
        return caf::make_message(publish_ack{503, "this node has no broker", {}});
      return self->delegate(self->state.broker, publish_atom::value, std::move(batch));
    },
    [self](add_atom, const std::string& name, const caf::actor& service, std::shared_ptr<call_gate>& gate) {
      self->monitor(service);
      self->state.services[name] = served{service, std::move(gate)};
    },
  };
}

}  // namespace

caf::actor spawn_node_actor(caf::actor_system& sys, caf::actor broker) {
  return sys.spawn(node_actor, std::move(broker));
}

publish_result publish_node(caf::actor_system& sys, const caf::actor& node, const std::string& host,
                            uint16_t port) {
  // Through the guard's middleman, so that the port's connections are checked (basp_guard.hpp).
  std::string in = (host.empty() || host == "0.0.0.0") ? std::string{} : host;
  publish_result out;
  caf::scoped_actor self{sys};
  self->request(guarded_middleman(sys), caf::infinite, caf::publish_atom::value, port,
                caf::actor_cast<caf::strong_actor_ptr>(node), std::set<std::string>{}, in, true)
    .receive([&](uint16_t bound) { out.port = bound; },
             [&](caf::error& e) { out.error = sys.render(e); });
  return out;
}

void unpublish_node(caf::actor_system& sys, const caf::actor& node) {
  auto res = sys.middleman().unpublish(node, 0);
  static_cast<void>(res);  // nothing to do if it was not published
}

}  // namespace micro::actors
