#pragma once
// Calls without a thread per call: the gateway's requests go to one actor of the client's actor
// system, which calls asynchronously (micro::call_async's path, at the byte level) and runs
// `done` when the answer arrives. A blocking call from a pool thread costs two thread wake-ups
// and a scoped actor per request; this costs one message. CAF stays inside async_caller.cpp.

#include <functional>
#include <memory>
#include <string>

#include "micro/call_options.hpp"
#include "micro/client.hpp"
#include "micro/message.hpp"
#include "micro/result.hpp"

namespace micro::api {

class async_caller {
 public:
  /// Calls through `client`, which must outlive this.
  explicit async_caller(micro::client& client);
  ~async_caller();  // stops the actor and waits for it; answers still pending are dropped
  async_caller(const async_caller&) = delete;
  async_caller& operator=(const async_caller&) = delete;

  /// Calls `endpoint` of `service`; `done` runs once, on an actor thread (it must not block).
  void call(std::string service, std::string endpoint, micro::raw_message req, micro::call_options opts,
            std::function<void(micro::result<micro::raw_message>)> done);

  struct impl;

 private:
  std::unique_ptr<impl> impl_;
};

}  // namespace micro::api
