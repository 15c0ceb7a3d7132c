// The interface's out-of-line parts: the defaults of micro's two delivery modes, and settling
// an asynchronous publication.
#include "broker/broker.hpp"

namespace micro::broker {

subscription::~subscription() = default;
backend::~backend() = default;

void async_report::settle(const std::string& topic, const status& st) {
  if (st.ok()) {
    published.fetch_add(1, std::memory_order_relaxed);
  } else {
    failed.fetch_add(1, std::memory_order_relaxed);
    if (on_failure)
      on_failure(topic, st);
  }
  if (in_flight.fetch_sub(1) == 1) {
    std::lock_guard<std::mutex> guard{mutex};
    settled_cv.notify_all();
  }
}

void backend::publish(const message& m, std::function<void(const status&)> done) { done(publish(m)); }

status backend::publish_async(message&& m, const std::shared_ptr<async_report>& report) {
  auto st = publish_async(m);
  if (st) {
    report->in_flight.fetch_add(1);
    report->settle(m.topic, st);
  }
  return st;
}

void backend::advertise(metadata&, const std::string&, const subscribe_options&) const {}

}  // namespace micro::broker
