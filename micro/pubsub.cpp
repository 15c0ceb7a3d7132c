// Publish routing and subscription start-up for every broker backend: the one place where
// micro's publications meet broker/ (README, Pub/sub). Nothing here knows which backend runs.
#include "micro/detail/pubsub_impl.hpp"

#include <algorithm>
#include <set>

#include <utility>

#include "actors/broker_actor.hpp"
#include "actors/wire.hpp"
#include "caf/all.hpp"
#include "metrics/registry.hpp"
#include "micro/detail/client_impl.hpp"
#include "micro/log.hpp"
#include "micro/trace.hpp"

namespace micro::detail {

namespace {

constexpr const char* broker_error_id = "micro.broker";

// Counts a publication of `topic` (micro_broker_publications_total). A publisher mostly repeats
// one topic: the last one's counter is kept per thread, so the registry is asked once per change.
void count_publication(const std::string& topic) {
  if (!metrics::enabled())
    return;
  thread_local std::string last_topic;
  thread_local metrics::counter* last = nullptr;
  if (last == nullptr || topic != last_topic) {
    last = &metrics::registry::global().counter("micro_broker_publications_total",
                                                "Publications this process sent, per topic.", {{"topic", topic}});
    last_topic = topic;
  }
  last->inc();
}

int32_t code_of(const broker::status& st) {
  if (st.micro_code != 0)
    return st.micro_code;
  return st.code == broker::errc::invalid_argument ? 400 : st.code == broker::errc::timeout ? 408 : 503;
}

error to_error(const broker::status& st, const std::string& topic) {
  return make_error(broker_error_id, code_of(st), "publication on " + topic + ": " + st.message);
}

error queue_full(const std::string& topic, std::size_t limit, const char* what) {
  return make_error(broker_error_id, 429,
                    "publication on " + topic + " refused: " + std::to_string(limit) + what +
                      " are queued or in flight (publish_queue_limit)");
}

// Runs a function subscriber for one message: its error goes back to the publisher of an `ack`
// subscription (where the backend acknowledges per subscriber), and is logged otherwise.
broker::deliver_fn run_subscriber(raw_subscriber fn, bool ack, const std::string& service, const std::string& topic) {
  return [fn = std::move(fn), ack, service, endpoint = "Subscriber." + topic](broker::message&& m) -> broker::status {
    context ctx{service, endpoint, m.meta, context::clock::time_point::max()};
    enter_span(ctx.metadata());  // this delivery is the hop's span
    raw_message in{std::move(m.content_type), std::move(m.body), {}, std::move(m.meta)};
    auto st = fn(ctx, in);
    if (st)
      return {};
    if (!ack) {
      log_event(log_level::error, "service " + service + ": subscriber of " + m.topic + " failed: " + st.error().to_json(),
                ctx);
      return {};
    }
    return broker::status{broker::errc::unavailable, st.error().to_json(), st.error().code};
  };
}

// A user actor subscriber (micro/actor_api.hpp) receives each message as a publication.
broker::deliver_fn send_to_actor(caf::actor actor) {
  return [actor = std::move(actor)](broker::message&& m) {
    caf::anon_send(actor, actors::publication{std::move(m.topic), std::move(m.content_type), std::move(m.meta),
                                              std::move(m.body), {}});
  };
}

}  // namespace

publisher::publisher(const options& opts, std::function<broker::subscriber_list(const std::string&)> subscribers)
    : opts_(opts), subscribers_(std::move(subscribers)) {}

result<std::shared_ptr<broker::backend>> publisher::backend() {
  std::lock_guard<std::mutex> guard{mutex_};
  if (!backend_) {
    broker::backend_params params;
    params.address = opts_.broker_address;
    params.tls = {opts_.tls_ca, opts_.tls_cert, opts_.tls_key};
    params.timeout = opts_.request_timeout;
    params.subscribers = subscribers_;
    auto opened = broker::make_backend(opts_.broker, params);
    if (!opened)
      return make_error(broker_error_id, opened.st.code == broker::errc::invalid_argument ? 400 : 503, opened.st.message);
    backend_ = opened.value;
    opened_.store(backend_.get(), std::memory_order_release);
  }
  return backend_;
}

broker::message publisher::to_message(const std::string& topic, const raw_message& msg, const publish_options& opts) const {
  broker::message m{topic, msg.content_type, msg.metadata, msg.body, {}};
  for (auto& [k, v] : opts.metadata)
    m.meta[k] = v;
  // The publisher's trace goes on; the parent link is the receiving hop's to make.
  if (!m.meta.empty())
    m.meta.erase(parent_span_key);
  ensure_trace(m.meta);
  m.timeout = opts.timeout.count() > 0 ? opts.timeout : opts_.request_timeout;
  return m;
}

bool publisher::acknowledged(const publish_options& opts) const {
  if (opts.mode)
    return *opts.mode == delivery::acknowledged;
  return opts_.publish_mode == "acknowledged";
}

status publisher::publish(const std::string& topic, const raw_message& msg, const publish_options& opts) {
  if (topic.empty())
    return errors::bad_request("micro.client", "cannot publish to an empty topic");
  count_publication(topic);
  auto* b = opened_.load(std::memory_order_acquire);
  if (b == nullptr) {
    auto r = backend();
    if (!r)
      return r.error();
    b = r->get();
  }
  auto m = to_message(topic, msg, opts);
  if (acknowledged(opts)) {
    if (auto st = b->publish(m); !st)
      return to_error(st, topic);
    return {};
  }
  // Asynchronous: bounded, so that a publisher far ahead of its subscribers is refused at once
  // rather than growing memory.
  if (report_->in_flight.load(std::memory_order_relaxed) >= opts_.publish_queue_limit) {
    report_->failed.fetch_add(1, std::memory_order_relaxed);
    return queue_full(topic, opts_.publish_queue_limit, " asynchronous publications");
  }
  if (auto st = b->publish_async(std::move(m), report_); !st) {
    report_->failed.fetch_add(1, std::memory_order_relaxed);
    return to_error(st, topic);
  }
  return {};
}

void publisher::publish_acknowledged(const std::string& topic, const raw_message& msg,
                                     std::function<void(const status&)> done, const publish_options& opts) {
  if (topic.empty()) {
    done(errors::bad_request("micro.client", "cannot publish to an empty topic"));
    return;
  }
  auto b = backend();
  if (!b) {
    done(b.error());
    return;
  }
  // Bounded like asynchronous publications (and waited for by flush).
  if (report_->in_flight.load(std::memory_order_relaxed) >= opts_.publish_queue_limit) {
    done(queue_full(topic, opts_.publish_queue_limit, " publications"));
    return;
  }
  report_->in_flight.fetch_add(1);
  count_publication(topic);
  (*b)->publish(to_message(topic, msg, opts), [topic, done = std::move(done), report = report_](const broker::status& st) {
    done(st ? status{} : status{to_error(st, topic)});
    if (report->in_flight.fetch_sub(1) == 1) {
      std::lock_guard<std::mutex> guard{report->mutex};
      report->settled_cv.notify_all();
    }
  });
}

publish_stats publisher::stats() const {
  return publish_stats{report_->published.load(), report_->failed.load(), report_->in_flight.load()};
}

void publisher::on_error(std::function<void(const std::string& topic, const error& err)> callback) {
  std::lock_guard<std::mutex> guard{report_->mutex};
  if (!callback) {
    report_->on_failure = nullptr;
    return;
  }
  report_->on_failure = [cb = std::move(callback)](const std::string& topic, const broker::status& st) {
    cb(topic, to_error(st, topic));
  };
}

bool publisher::flush(std::chrono::milliseconds timeout) {
  {
    std::unique_lock<std::mutex> lock{report_->mutex};
    if (!report_->settled_cv.wait_for(lock, timeout, [&] { return report_->in_flight.load() == 0; }))
      return false;
  }
  std::lock_guard<std::mutex> guard{mutex_};
  return !backend_ || backend_->flush().ok();  // what the backend itself buffers (a server's client library)
}

result<std::vector<std::unique_ptr<broker::subscription>>> start_subscriptions(
  broker::backend& backend, const std::vector<server::impl::subscription>& subs, const std::string& service_name,
  registry::service& registered) {
  std::vector<std::unique_ptr<broker::subscription>> made;
  for (auto& sub : subs) {
    broker::subscribe_options opts;
    opts.queue = sub.opts.queue;
    opts.window = sub.opts.window;
    opts.refuse_when_full = sub.opts.refuse_when_full;
    opts.ack = sub.opts.ack;
    actors::subscription_spec described;
    described.topic = sub.topic;
    described.queue = sub.opts.queue;
    registered.endpoints.push_back(actors::subscriber_endpoint(described, sub.message_type));
    backend.advertise(registered.nodes.at(0).meta, sub.topic, opts);
    auto deliver = sub.fn ? run_subscriber(sub.fn, sub.opts.ack, service_name, sub.topic) : send_to_actor(sub.actor);
    auto one = backend.subscribe(sub.topic, opts, std::move(deliver));
    if (!one) {
      for (auto& s : made)
        s->unsubscribe();
      return errors::service_unavailable("micro.service", "cannot subscribe to " + sub.topic + ": " + one.st.message);
    }
    made.push_back(std::move(one.value));
  }
  return result<std::vector<std::unique_ptr<broker::subscription>>>{std::move(made)};
}

}  // namespace micro::detail

namespace micro {

namespace {

// The versions (with nodes) of every service that advertises a subscriber of `topic`.
std::vector<registry::service> find_subscribers(client::impl& c, const std::string& topic) {
  std::vector<registry::service> out;
  auto all = c.reg->list_services();
  std::set<std::string> names;
  for (auto& svc : all.value)
    names.insert(svc.name);
  for (auto& name : names) {
    auto found = c.lookup(name);
    for (auto& svc : found.value) {
      const auto key = actors::subscription_key(topic);
      bool subscribes = std::any_of(svc.nodes.begin(), svc.nodes.end(),
                                    [&](const registry::node& n) { return n.meta.count(key) > 0; });
      if (subscribes)
        out.push_back(svc);
    }
  }
  return out;
}

}  // namespace

actors::subscriber_list client::impl::subscribers_of(const std::string& topic) {
  // Listing every service per publication cost ~8% of a publisher's CPU; a short-lived answer
  // per topic is as fresh as mDNS announcements are anyway (~1 s), and nodes that die meanwhile
  // are skipped by the broker actor the moment their connection drops.
  constexpr std::chrono::milliseconds fresh_for{250};
  auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard<std::mutex> guard{topics_mutex};
    auto it = topics.find(topic);
    if (it != topics.end() && now - it->second.fetched < fresh_for)
      return it->second.services;
  }
  auto found = std::make_shared<const std::vector<registry::service>>(find_subscribers(*this, topic));
  std::lock_guard<std::mutex> guard{topics_mutex};
  topics[topic] = topic_entry{found, now};
  return found;
}

}  // namespace micro
