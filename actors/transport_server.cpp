#include "actors/transport_server.hpp"

#include "actors/broker_actor.hpp"
#include "actors/metadata_limits.hpp"
#include "actors/publication_batch.hpp"
#include "actors/reply_sink.hpp"
#include "actors/transport_streams.hpp"
#include "actors/wire_body.hpp"
#include "caf/all.hpp"

namespace micro::actors {

namespace {

constexpr const char* server_error_id = "micro.server";

void reply(const transport::connection_ptr& conn, uint64_t id, const response& rsp) {
  transport::frame f{transport::frame_kind::response, 0, id, {}};
  encode_response(rsp, f.body);
  auto st = conn->send(std::move(f));
  if (st.code != transport::errc::frame_too_large)
    return;  // sent, or the connection is gone (the caller learns it from its own side)
  transport::frame refusal{transport::frame_kind::response, 0, id, {}};
  encode_response(make_error_response(500, server_error_id, "the response is too large for the transport: " + st.message),
                  refusal.body);
  conn->send(std::move(refusal));
}

void ack(const transport::connection_ptr& conn, uint64_t id, const publish_ack& a) {
  transport::frame f{transport::frame_kind::publish_ack, 0, id, {}};
  encode_publish_ack(a, f.body);
  conn->send(std::move(f));  // sent, or the connection is gone (the publisher learns it from its side)
}

}  // namespace

struct transport_server::served {
  caf::actor service;               // its service actor (stream opens)
  std::shared_ptr<call_gate> gate;  // its calls
};

struct transport_server::impl {
  caf::actor_system* sys = nullptr;
  std::shared_ptr<transport::transport> transport;
  std::unique_ptr<transport::listener> listener;
  std::mutex mutex;  // guards `services` (add/stop on the caller's thread, frames on the I/O thread)
  std::map<std::string, std::shared_ptr<const served>> services;
  caf::actor broker;  // the process's: gets the publication frames
  transport::limits limits;
  // Streams, per connection that opened one (actors/transport_streams.hpp).
  std::mutex streams_mutex;
  std::map<const transport::connection*, std::shared_ptr<server_streams>> streams;

  void on_stream_frame(const transport::connection_ptr& conn, transport::frame&& f) {
    std::shared_ptr<server_streams> table;
    {
      std::lock_guard lock{streams_mutex};
      auto& t = streams[conn.get()];
      if (!t)
        t = std::make_shared<server_streams>(*sys, conn, limits.max_frame_size, limits.max_streams);
      table = t;
    }
    table->on_frame(std::move(f), [this](const std::string& name) -> caf::actor {
      std::lock_guard lock{mutex};
      auto it = services.find(name);
      return it == services.end() ? caf::actor{} : it->second->service;
    });
  }

  void on_close(const transport::connection_ptr& conn, const transport::status& why) {
    std::shared_ptr<server_streams> table;
    {
      std::lock_guard lock{streams_mutex};
      if (auto it = streams.find(conn.get()); it != streams.end()) {
        table = std::move(it->second);
        streams.erase(it);
      }
    }
    if (table)
      table->on_close(why);
  }

  // A batch of publications: to the broker actor as it came (it decodes it, as a batch over CAF);
  // the ack goes back when the broker answers.
  void on_publication(const transport::connection_ptr& conn, transport::frame&& f) {
    caf::actor to;
    {
      std::lock_guard lock{mutex};
      to = broker;
    }
    if (!to) {
      ack(conn, f.id, publish_ack{503, "this node has no broker", {}});
      return;
    }
    caf::anon_send(to, publish_atom::value, std::move(f.body),
                   publish_reply{[conn, id = f.id](const publish_ack& a) { ack(conn, id, a); }});
  }

  void on_request(const transport::connection_ptr& conn, transport::frame&& f) {
    request req;
    if (auto st = decode_request(f.body, req); !st) {
      conn->close(st);  // not micro's request format: nothing more from this peer makes sense
      return;
    }
    if (auto why = check_metadata(req.metadata); !why.empty()) {
      reply(conn, f.id, make_error_response(400, server_error_id, "request refused: " + why));
      return;
    }
    std::shared_ptr<call_gate> gate;  // kept while the call is taken, even if stop() drops it
    {
      std::lock_guard lock{mutex};
      if (auto it = services.find(req.service); it != services.end())
        gate = it->second->gate;
    }
    if (!gate) {
      reply(conn, f.id, make_error_response(404, server_error_id, "service " + req.service + " is not served by this node"));
      return;
    }
    // Inline endpoints are answered here, on the I/O thread; the others go to a worker, which
    // writes the reply to the connection itself.
    gate->accept(std::move(req), reply_sink{[conn, id = f.id](const response& rsp) { reply(conn, id, rsp); }});
  }
};

transport::result<std::unique_ptr<transport_server>> transport_server::start(caf::actor_system& sys,
                                                                             const std::string& transport_name,
                                                                             const std::string& address,
                                                                             const transport::transport_options& options) {
  auto with_publications = options;
  with_publications.hello_flags |= transport::hello_takes_publications;  // on_publication
  auto made = transport::make_transport(transport_name, with_publications);
  if (!made)
    return {made.st, nullptr};
  auto d = std::make_shared<impl>();
  d->sys = &sys;
  d->transport = made.value;
  d->limits = options.limits;
  std::weak_ptr<impl> weak = d;
  transport::connection_handlers h;
  h.on_frame = [weak](const transport::connection_ptr& conn, transport::frame&& f) {
    auto d = weak.lock();
    if (!d) return;
    if (f.kind == transport::frame_kind::request) {
      d->on_request(conn, std::move(f));
      return;
    }
    if (f.kind >= transport::frame_kind::stream_open && f.kind <= transport::frame_kind::stream_end) {
      d->on_stream_frame(conn, std::move(f));
      return;
    }
    if (f.kind == transport::frame_kind::publication) {
      d->on_publication(conn, std::move(f));
      return;
    }
    // (A publish_ack among them: a node sends no publications, so no ack is ever owed to it.)
    conn->close(transport::status::error(transport::errc::bad_frame,
                                         std::string{"a node takes requests, streams and publications only, not "}
                                           + transport::to_string(f.kind) + " frames"));
  };
  h.on_close = [weak](const transport::connection_ptr& conn, const transport::status& why) {
    if (auto d = weak.lock())
      d->on_close(conn, why);
  };
  auto listening = d->transport->listen(address, h);
  if (!listening)
    return {listening.st, nullptr};
  d->listener = std::move(listening.value);
  return {{}, std::unique_ptr<transport_server>(new transport_server(d))};
}

transport_server::~transport_server() { stop(); }

void transport_server::add(const std::string& name, caf::actor service, std::shared_ptr<call_gate> gate) {
  std::lock_guard lock{impl_->mutex};
  impl_->services[name] = std::make_shared<const served>(served{std::move(service), std::move(gate)});
}

void transport_server::set_broker(caf::actor broker) {
  std::lock_guard lock{impl_->mutex};
  impl_->broker = std::move(broker);
}

std::string transport_server::address() const { return impl_->listener ? impl_->listener->address() : std::string{}; }

void transport_server::stop() {
  if (impl_->listener)
    impl_->listener->close();
  std::lock_guard lock{impl_->mutex};
  impl_->services.clear();
  impl_->broker = nullptr;
}

}  // namespace micro::actors
