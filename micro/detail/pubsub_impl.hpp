#pragma once
// Private: pub/sub over whichever broker backend the options name (micro/pubsub.cpp). The
// client and the service go through these two and never name a backend: which one, and what
// it can honour, is broker/'s business (broker/factory.hpp).

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "broker/factory.hpp"
#include "micro/detail/server_impl.hpp"
#include "micro/options.hpp"
#include "micro/pubsub.hpp"
#include "registry/model.hpp"

namespace micro::detail {

/// A client's publications: its backend (opened on first use) and the fate of its
/// asynchronous publications.
class publisher {
 public:
  /// `subscribers` finds who subscribes to a topic (the client's registry, briefly cached).
  publisher(const options& opts, std::function<broker::subscriber_list(const std::string& topic)> subscribers);

  /// client::publish_raw: asynchronous or acknowledged per opts.mode (else the client's).
  status publish(const std::string& topic, const raw_message& msg, const publish_options& opts);
  /// client::publish_acknowledged.
  void publish_acknowledged(const std::string& topic, const raw_message& msg, std::function<void(const status&)> done,
                            const publish_options& opts);
  publish_stats stats() const;
  void on_error(std::function<void(const std::string& topic, const error& err)> callback);
  /// Waits for every asynchronous publication to settle, then for the backend's own buffer.
  bool flush(std::chrono::milliseconds timeout);

  /// The backend MICRO_BROKER names, opened once; an error (400 unknown name, 503 no server)
  /// says why not.
  result<std::shared_ptr<broker::backend>> backend();

 private:
  broker::message to_message(const std::string& topic, const raw_message& msg, const publish_options& opts) const;
  bool acknowledged(const publish_options& opts) const;

  const options& opts_;  // the client's, which owns this
  std::function<broker::subscriber_list(const std::string&)> subscribers_;
  std::shared_ptr<broker::async_report> report_ = std::make_shared<broker::async_report>();
  std::mutex mutex_;
  std::shared_ptr<broker::backend> backend_;
  // backend_ once opened (it never changes then): publishes read it without the mutex, which
  // many publishing threads would otherwise queue on.
  std::atomic<broker::backend*> opened_{nullptr};
};

/// Subscribes each of a server's subscriptions through `backend` (handlers run with a context
/// of `service_name`, errors logged or, for `ack` subscriptions, returned to the publisher) and
/// describes them in `registered`: an endpoint each, and on its node what the backend needs
/// publishers to see. All or nothing: on an error, those made are unsubscribed.
result<std::vector<std::unique_ptr<broker::subscription>>> start_subscriptions(
  broker::backend& backend, const std::vector<server::impl::subscription>& subs, const std::string& service_name,
  registry::service& registered);

}  // namespace micro::detail
