#include "actors/actor_backend.hpp"

#include <condition_variable>
#include <mutex>

#include "actors/broker_actor.hpp"
#include "actors/publication_batch.hpp"
#include "actors/runtime.hpp"
#include "broker/factory.hpp"
#include "caf/all.hpp"

namespace micro::actors {

namespace {

// A blocking caller waits a little longer than the broker actor's own bound, so that the broker,
// which knows why, is the one that reports a failure.
constexpr std::chrono::seconds wait_margin{2};

class actor_subscription final : public broker::subscription {
 public:
  actor_subscription(caf::actor broker, uint64_t id) : broker_(std::move(broker)), id_(id) {}
  ~actor_subscription() override { unsubscribe(); }
  void unsubscribe() override {
    std::lock_guard<std::mutex> guard{mutex_};
    if (!broker_)
      return;
    caf::anon_send(broker_, unsubscribe_sub_atom::value, id_);
    broker_ = nullptr;
  }

 private:
  std::mutex mutex_;
  caf::actor broker_;
  uint64_t id_;
};

using status = broker::status;
template <class T>
using result = broker::result<T>;

class actor_backend final : public broker::backend {
 public:
  actor_backend(std::shared_ptr<runtime> rt, broker::backend_params params)
      : rt_(std::move(rt)), broker_(rt_->broker_actor()), params_(std::move(params)) {}

  std::string name() const override { return "actor"; }

  status publish(const broker::message& m) override {
    struct waiter {
      std::mutex mutex;
      std::condition_variable cv;
      bool done = false;
      status st;
    };
    auto w = std::make_shared<waiter>();
    publish(m, [w](const status& st) {
      std::lock_guard<std::mutex> guard{w->mutex};
      w->st = st;
      w->done = true;
      w->cv.notify_one();
    });
    std::unique_lock<std::mutex> lock{w->mutex};
    if (!w->cv.wait_for(lock, timeout_of(m) + wait_margin, [&] { return w->done; }))
      return status{broker::errc::timeout, "the broker actor did not answer in time", 500};
    return w->st;
  }

  status publish_async(const broker::message& m) override { return publish_async(broker::message{m}, own_); }

  status flush() override {
    std::unique_lock<std::mutex> lock{own_->mutex};
    if (!own_->settled_cv.wait_for(lock, params_.timeout + wait_margin, [&] { return own_->in_flight.load() == 0; }))
      return status{broker::errc::timeout, "broker actor: asynchronous publications still in flight", 408};
    return {};
  }

  status publish_batch(const std::vector<broker::message>& batch) override {
    // Pipelined: all queued at once (they share batches to each node), then one wait.
    struct waiter {
      std::mutex mutex;
      std::condition_variable cv;
      std::size_t left = 0;
      status first_error;
    };
    auto w = std::make_shared<waiter>();
    w->left = batch.size();
    auto bound = params_.timeout;
    for (auto& m : batch) {
      bound = std::max(bound, timeout_of(m));
      publish(m, [w](const status& st) {
        std::lock_guard<std::mutex> guard{w->mutex};
        if (!st && w->first_error.ok())
          w->first_error = st;
        if (--w->left == 0)
          w->cv.notify_one();
      });
    }
    std::unique_lock<std::mutex> lock{w->mutex};
    if (!w->cv.wait_for(lock, bound + wait_margin, [&] { return w->left == 0; }))
      return status{broker::errc::timeout, "the broker actor did not answer in time", 500};
    return w->first_error;
  }

  result<std::unique_ptr<broker::subscription>> subscribe(const std::string& topic, const broker::subscribe_options& opts,
                                                          broker::deliver_fn deliver) override {
    if (topic.empty() || !deliver)
      return {status{broker::errc::invalid_argument,
                     "broker actor: subscribe to \"" + topic + "\": " + (topic.empty() ? "empty topic" : "no deliver function"),
                     400},
              nullptr};
    auto spec = spec_of(topic, opts);
    spec.handler = [deliver = std::move(deliver)](publication& p) -> publish_ack {
      auto st = deliver(broker::message{std::move(p.topic), std::move(p.content_type), std::move(p.metadata),
                                        std::move(p.body), {}});
      if (st)
        return {};
      return publish_ack{st.micro_code != 0 ? st.micro_code : 500, st.message, {}};
    };
    caf::scoped_actor self{rt_->system()};
    result<std::unique_ptr<broker::subscription>> out;
    self->request(broker_, std::chrono::seconds{5}, subscribe_sub_atom::value, std::move(spec))
      .receive([&](uint64_t id) { out.value = std::make_unique<actor_subscription>(broker_, id); },
               [&](caf::error& err) {
                 out.st = status{broker::errc::unavailable,
                                 "broker actor: subscribe to \"" + topic + "\": " + rt_->system().render(err), 503};
               });
    return out;
  }

  void publish(const broker::message& m, std::function<void(const status&)> done) override {
    auto order = order_of(broker::message{m});
    order.done = [done = std::move(done)](const publish_ack& ack) {
      done(ack.code == 0 ? status{} : to_broker_status(ack.code, ack.detail));
    };
    enqueue(std::move(order));
  }

  status publish_async(broker::message&& m, const std::shared_ptr<broker::async_report>& report) override {
    report->in_flight.fetch_add(1);
    auto order = order_of(std::move(m));
    order.report = report;
    enqueue(std::move(order));
    return {};
  }

  void advertise(broker::metadata& node_meta, const std::string& topic, const broker::subscribe_options& opts) const override {
    advertise_subscription(node_meta, spec_of(topic, opts));
  }

 private:
  std::chrono::milliseconds timeout_of(const broker::message& m) const {
    return m.timeout.count() > 0 ? m.timeout : params_.timeout;
  }

  static subscription_spec spec_of(const std::string& topic, const broker::subscribe_options& opts) {
    subscription_spec spec;
    spec.topic = topic;
    spec.queue = opts.queue;
    spec.window = opts.window;
    spec.refuse_when_full = opts.refuse_when_full;
    spec.ack = opts.ack;
    return spec;
  }

  publish_order order_of(broker::message&& m) const {
    publish_order order;
    if (params_.subscribers)
      order.subscribers = params_.subscribers(m.topic);
    order.timeout = timeout_of(m);
    encode_publication_head(order.head, m.topic, m.content_type, m.meta, m.body);
    order.pub.topic = std::move(m.topic);
    return order;
  }

  // Publishes of many threads reach the broker in one go and share batches: cheaper than a
  // message (or a scoped actor and a request) per publish.
  void enqueue(publish_order&& order) {
    if (queue_->push(std::move(order)))
      caf::anon_send(broker_, publish_atom::value, queue_);
  }

  std::shared_ptr<runtime> rt_;
  caf::actor broker_;
  broker::backend_params params_;
  std::shared_ptr<async_publisher> queue_ = std::make_shared<async_publisher>();
  std::shared_ptr<broker::async_report> own_ = std::make_shared<broker::async_report>();  // plain publish_async
};

}  // namespace

void install_actor_backend(const std::shared_ptr<runtime>& rt) {
  std::weak_ptr<runtime> weak = rt;
  broker::install_backend("actor", [weak](const broker::backend_params& params)
                                     -> broker::result<std::shared_ptr<broker::backend>> {
    auto running = weak.lock();
    if (!running)
      return {broker::status{broker::errc::unavailable, "broker actor: micro's runtime has stopped", 503}, nullptr};
    return {{}, std::make_shared<actor_backend>(std::move(running), params)};
  });
}

}  // namespace micro::actors
