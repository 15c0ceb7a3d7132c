#include "actors/wire.hpp"

#include "caf/actor_system_config.hpp"

namespace micro::actors {

void add_wire_types(caf::actor_system_config& cfg) {
  // Names are the wire identity: they must be identical on every node.
  cfg.add_message_type<request>("micro.request");
  cfg.add_message_type<response>("micro.response");
  cfg.add_message_type<publication>("micro.publication");
  cfg.add_message_type<std::vector<publication>>("micro.publications");
  cfg.add_message_type<publish_ack>("micro.publish_ack");
  cfg.add_message_type<stream_frames>("micro.stream_frames");
  cfg.add_message_type<stream_end>("micro.stream_end");
}

response make_error_response(int32_t code, std::string id, std::string detail) {
  response r;
  r.code = code;
  r.error_id = std::move(id);
  r.detail = std::move(detail);
  return r;
}

}  // namespace micro::actors
