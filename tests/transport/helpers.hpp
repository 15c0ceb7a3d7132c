#pragma once
// An echo service on a transport, a log that can be awaited, and a well-behaved caller.

#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <string>
#include <vector>

#include "transport/transport.hpp"

namespace transport_test {

using namespace micro::transport;
using namespace std::chrono_literals;

// The transport's log lines, awaitable.
class log_capture {
 public:
  std::function<void(const std::string&)> sink() {
    return [this](const std::string& line) {
      std::lock_guard lock{mutex_};
      lines_.push_back(line);
      changed_.notify_all();
    };
  }
  // Waits until `n` lines are logged (or 5 s) and returns them all.
  std::vector<std::string> wait_for(std::size_t n) {
    std::unique_lock lock{mutex_};
    changed_.wait_for(lock, 5s, [&] { return lines_.size() >= n; });
    return lines_;
  }
  std::vector<std::string> lines() {
    std::lock_guard lock{mutex_};
    return lines_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::string> lines_;
};

// Answers each request with a response carrying the same id and body, except those it holds:
// all when holding, and any whose body is "hold".
struct echo_server {
  explicit echo_server(const std::string& backend, limits lim = {}, bool hold_requests = false) {
    transport_options options;
    options.limits = lim;
    options.log = log.sink();
    t = make_transport(backend, options).value;
    connection_handlers h;
    h.on_frame = [hold_requests](const connection_ptr& c, frame&& f) {
      if (f.kind != frame_kind::request || hold_requests || f.body == "hold") return;
      f.kind = frame_kind::response;
      c->send(std::move(f));
    };
    auto l = t->listen(backend == "tcp" ? "127.0.0.1:0" : "", h);
    REQUIRE(l.ok());
    listener = std::move(l.value);
  }
  std::string address() const { return listener->address(); }

  log_capture log;
  std::shared_ptr<transport> t;
  std::unique_ptr<micro::transport::listener> listener;
};

// Dials, sends one request and returns the echoed body ("" with a failure recorded on timeout).
inline std::string call_once(const std::string& backend, const std::string& address, const std::string& body) {
  auto t = make_transport(backend).value;
  auto answer = std::make_shared<std::promise<std::string>>();
  connection_handlers h;
  h.on_frame = [answer](const connection_ptr&, frame&& f) {
    if (f.kind == frame_kind::response && f.id == 42) answer->set_value(std::move(f.body));
  };
  auto c = t->dial(address, h);
  REQUIRE(c.ok());
  REQUIRE(c.value->send(frame{frame_kind::request, 0, 42, body}).ok());
  auto got = answer->get_future();
  REQUIRE(got.wait_for(5s) == std::future_status::ready);
  c.value->close({});
  return got.get();
}

}  // namespace transport_test
