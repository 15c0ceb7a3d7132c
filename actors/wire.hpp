#pragma once
// The only types that ever cross a node boundary. User types never do: codecs turn them into
// `body` bytes at the edge, and the receiver decodes by `content_type`.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "caf/meta/type_name.hpp"

namespace caf {
class actor_system_config;
}

namespace micro::actors {

using metadata_map = std::map<std::string, std::string>;

/// A unary call. `timeout_ns` is the time left when the request left the caller: the
/// receiver turns it into a local deadline, so clocks of the two hosts never need to agree.
struct request {
  std::string service;
  std::string endpoint;      // "Greeter.Hello"
  std::string content_type;  // of `body`
  std::string accept;        // content type the caller wants back; empty = same as request
  metadata_map metadata;     // propagated context: trace ids, auth, user keys
  int64_t timeout_ns = 0;
  std::string body;
};

/// The answer to a request. `code == 0` is success; otherwise an HTTP-like error code with
/// go-micro's error id and detail.
struct response {
  int32_t code = 0;
  std::string error_id;
  std::string detail;
  std::string content_type;
  metadata_map metadata;
  std::string body;
};

/// A publication on its way to a node with subscribers. `targets` says who on that node gets
/// it: "" = every plain subscriber of the topic, a group name = one member of that queue group.
struct publication {
  std::string topic;
  std::string content_type;
  metadata_map metadata;
  std::string body;
  std::vector<std::string> targets;
};

/// A node's answer to a batch of publications: code 0 when every one was accepted (queued for
/// its subscribers, or handled where they asked for acks); otherwise why not. `item_codes`,
/// when not empty, has one code per publication of the batch (0 = accepted), so that a refusal
/// of one is never reported for the others.
struct publish_ack {
  int32_t code = 0;
  std::string detail;
  std::vector<int32_t> item_codes;
};

/// Stream messages, in the order of the frames that carry them (one stream = one pair of
/// endpoint actors, so no stream id is needed). Many messages per CAF message: batching is
/// what takes a stream from ~60k to ~900k messages/s (docs/caf-0.17.md, section 5).
struct stream_frames {
  std::vector<std::string> items;
};

/// The end of one side's messages. From the client: code 0 = half-close (no more requests),
/// otherwise a cancellation. From the server: the stream's final status (0 = ok).
struct stream_end {
  int32_t code = 0;
  std::string error_id;
  std::string detail;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, request& x) {
  return f(caf::meta::type_name("micro.request"), x.service, x.endpoint, x.content_type, x.accept,
           x.metadata, x.timeout_ns, x.body);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, response& x) {
  return f(caf::meta::type_name("micro.response"), x.code, x.error_id, x.detail, x.content_type,
           x.metadata, x.body);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, publication& x) {
  return f(caf::meta::type_name("micro.publication"), x.topic, x.content_type, x.metadata, x.body, x.targets);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, publish_ack& x) {
  return f(caf::meta::type_name("micro.publish_ack"), x.code, x.detail, x.item_codes);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, stream_frames& x) {
  return f(caf::meta::type_name("micro.stream_frames"), x.items);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, stream_end& x) {
  return f(caf::meta::type_name("micro.stream_end"), x.code, x.error_id, x.detail);
}

/// Announces the wire types; must run on the config before the actor system is built.
void add_wire_types(caf::actor_system_config& cfg);

/// Builds an error response (status text is derived from the code by the facade).
response make_error_response(int32_t code, std::string id, std::string detail);

}  // namespace micro::actors
