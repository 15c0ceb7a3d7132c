#pragma once
// The node's side of a byte transport (tcp, memory): listens, decodes each request frame and
// hands it to its service's call gate (actors/call_gate.hpp: concurrency limit, queue, deadlines,
// drain, as over CAF). Inline endpoints (endpoint_options::with_inline, micro's Debug.*) are run
// on the transport's I/O thread, with no hand-off at all; every other request goes straight to a
// worker, whose reply goes straight back to the connection. Publication frames (a batch each) go
// to the process's broker actor as a message, and its ack goes back as a publish_ack frame; the
// server's hello says it takes them (transport::hello_takes_publications).

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "actors/call_gate.hpp"
#include "caf/actor.hpp"
#include "caf/fwd.hpp"
#include "transport/transport.hpp"

namespace micro::actors {

class transport_server {
 public:
  /// Listens on `address` ("host:port", port 0 = any) with the transport named `transport_name`,
  /// whose connections keep `options` (limits, TLS).
  static transport::result<std::unique_ptr<transport_server>> start(caf::actor_system& sys,
                                                                     const std::string& transport_name,
                                                                     const std::string& address,
                                                                     const transport::transport_options& options);
  ~transport_server();

  /// Serves `name` from now on: `service` is its service actor, `gate` its call gate.
  void add(const std::string& name, caf::actor service, std::shared_ptr<call_gate> gate);
  /// Hands the publications sent to this node to `broker` (actors/broker_actor.hpp). Until then
  /// (or with none) a publication frame is answered with a 503 ack.
  void set_broker(caf::actor broker);
  /// The bound address ("127.0.0.1:43121").
  std::string address() const;
  /// Stops accepting and closes every connection.
  void stop();

 private:
  struct served;
  struct impl;
  explicit transport_server(std::shared_ptr<impl> d) : impl_{std::move(d)} {}
  std::shared_ptr<impl> impl_;
};

}  // namespace micro::actors
