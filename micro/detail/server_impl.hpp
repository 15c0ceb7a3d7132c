#pragma once
// Private: what a server holds. Included only by micro's own .cpp files.

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "caf/actor.hpp"
#include "micro/server.hpp"

namespace micro {

struct server::impl {
  struct entry {
    registry::endpoint info;
    raw_handler fn;     // either a function run on a worker ...
    caf::actor actor;   // ... or a user actor answering actors::request with actors::response
    raw_stream_handler stream_fn;  // a stream endpoint (then fn and actor are empty)
    bool run_inline = false;       // fn runs on the service actor (endpoint_options::run_inline)
    raw_async_stream_handler async_stream_fn;  // or an asynchronous stream endpoint (no thread each)
  };
  struct subscription {
    std::string topic;
    std::string message_type;
    raw_subscriber fn;     // either a function run on the subscription's thread ...
    caf::actor actor;      // ... or a user actor receiving actors::publication messages
    subscribe_options opts;
  };
  mutable std::mutex mutex;
  std::map<std::string, entry> endpoints;
  std::vector<subscription> subscriptions;
  std::vector<handler_wrapper> wrappers;  // in the order added: front() is the outermost
  bool started = false;                   // set by service::start; wrap() is refused after

  /// Checks `sub` (400: empty topic, no handler, zero window, a queue name with ',' or "*"; 409
  /// after start) and keeps it.
  void add_subscription(subscription sub);
};

}  // namespace micro
