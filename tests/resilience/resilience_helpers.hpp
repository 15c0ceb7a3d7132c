// Helpers of the resilience tests: clusters of micro-test-server nodes under one service name
// (static registry or mDNS), Test.Whoami tallies, and call streams with a record per call.
#pragma once

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "harness.hpp"
#include "micro/selector.hpp"

namespace micro::test {

/// The test process's circuit back-off (main sets MICRO_SELECTOR_CIRCUIT_BACKOFF to it).
inline constexpr const char* circuit_backoff_text = "400ms";
inline constexpr milliseconds circuit_backoff{400};

/// A service name no other test process uses (mDNS is shared by everything on the host).
inline std::string unique_service(const std::string& base) {
  static std::atomic<int> n{0};
  return base + "-" + std::to_string(::getpid()) + "-" + std::to_string(++n);
}

/// Nodes of one service.
struct cluster {
  std::string name;
  std::vector<running_server> nodes;

  /// "name=addr1,name=addr2,...": a static registry that lists every node.
  std::string entries() const {
    std::string out;
    for (auto& n : nodes)
      out += (out.empty() ? "" : ",") + n.entry();
    return out;
  }
  std::vector<const running_server*> all() const {
    std::vector<const running_server*> out;
    for (auto& n : nodes)
      out.push_back(&n);
    return out;
  }
  std::set<std::string> addresses() const {
    std::set<std::string> out;
    for (auto& n : nodes)
      out.insert(n.address);
    return out;
  }
};

using tweak_fn = std::function<void(int, server_config&)>;

/// `n` nodes of `name` on the static registry; `tweak(i, cfg)` adjusts node i (env knobs).
inline cluster start_cluster(const std::string& name, int n, const tweak_fn& tweak = {}) {
  cluster c;
  c.name = name;
  for (int i = 0; i < n; ++i) {
    server_config cfg{name};
    if (tweak)
      tweak(i, cfg);
    c.nodes.push_back(start_test_server(cfg));
  }
  return c;
}

/// `n` nodes of `name` registered over mDNS.
inline cluster start_mdns_cluster(const std::string& name, int n, const tweak_fn& tweak = {}) {
  return start_cluster(name, n, [&](int i, server_config& cfg) {
    cfg.env["MICRO_REGISTRY"] = "mdns";
    cfg.env["MICRO_REGISTRY_ADDRESS"] = "";
    if (tweak)
      tweak(i, cfg);
  });
}

/// A static-registry client for the cluster, connected to every node, with the marks of the
/// service's addresses forgotten (the selector lives as long as the process, and a new server
/// may get the port of one an earlier test killed).
inline std::unique_ptr<client> cluster_client(const cluster& c) {
  auto out = make_client(c.entries(), c.all());
  out->reset_marks(c.name);
  return out;
}

inline bool lists_address(const result<std::vector<std::string>>& r, const std::string& address) {
  return r && std::find(r->begin(), r->end(), address) != r->end();
}

/// An mDNS client that lists every node of the cluster in its cache (bounded wait on the
/// cache, not a sleep), connected to each, with the marks of their addresses forgotten.
inline std::unique_ptr<client> mdns_cluster_client(const cluster& c, milliseconds bound = 15s) {
  options opts;
  REQUIRE(apply_environment(opts));
  opts.with_registry("mdns");
  auto out = std::make_unique<client>(opts);
  auto t0 = steady_clock::now();
  for (auto& n : c.nodes) {
    while (!lists_address(out->resolve(c.name), n.address)) {
      if (steady_clock::now() - t0 > bound)
        FAIL("node " << n.address << " of " << c.name << " never appeared in the mDNS cache");
      std::this_thread::sleep_for(2ms);  // polling the cache, an observable state
    }
  }
  for (auto& n : c.nodes)
    connect_to(*out, n);
  out->reset_marks(c.name);
  return out;
}

/// The address Test.Whoami answers with, or the error.
inline result<std::string> whoami(client& c, const std::string& service, const call_options& opts = {}) {
  auto r = c.call<json>(service, "Test.Whoami", json::object(), opts);
  if (!r)
    return r.error();
  return r->value("address", std::string{});
}

/// How many Test.Whoami calls each address answered.
struct tally {
  std::map<std::string, int> by_address;
  int failed = 0;
  std::string first_error;

  int of(const std::string& address) const {
    auto it = by_address.find(address);
    return it == by_address.end() ? 0 : it->second;
  }
  int total() const {
    int n = 0;
    for (auto& [a, k] : by_address)
      n += k;
    return n;
  }
};

/// `per_thread` Test.Whoami calls from each of `threads` threads, counted by answering node.
inline tally whoami_tally(client& c, const std::string& service, int threads, int per_thread,
                          const call_options& opts = {}) {
  std::vector<tally> partial(static_cast<std::size_t>(threads));
  {
    std::vector<joining_thread> callers;
    for (int t = 0; t < threads; ++t)
      callers.emplace_back([&, t] {
        auto& mine = partial[static_cast<std::size_t>(t)];
        for (int i = 0; i < per_thread; ++i) {
          auto who = whoami(c, service, opts);
          if (who) {
            ++mine.by_address[*who];
          } else {
            if (mine.failed++ == 0)
              mine.first_error = who.error().to_json();
          }
        }
      });
  }
  tally out;
  for (auto& p : partial) {
    for (auto& [a, k] : p.by_address)
      out.by_address[a] += k;
    out.failed += p.failed;
    if (out.first_error.empty())
      out.first_error = p.first_error;
  }
  return out;
}

inline std::string describe(const tally& t) {
  std::string out;
  for (auto& [a, k] : t.by_address)
    out += a + ": " + std::to_string(k) + "\n";
  out += "failed: " + std::to_string(t.failed) + (t.first_error.empty() ? "" : " (first: " + t.first_error + ")");
  return out;
}

/// One call of a stream.
struct call_record {
  steady_clock::time_point start, end;
  bool ok = false;
  int code = 0;
  std::string address;  // who answered
  std::string error;
  double ms() const { return std::chrono::duration<double, std::milli>(end - start).count(); }
};

/// Threads calling Test.Whoami back to back until stopped; every call recorded.
class call_stream {
 public:
  call_stream(client& c, std::string service, int threads, call_options opts)
      : records_(static_cast<std::size_t>(threads)) {
    for (int t = 0; t < threads; ++t)
      threads_.emplace_back([this, &c, service, opts, t] {
        auto& mine = records_[static_cast<std::size_t>(t)];
        while (!stop_) {
          call_record r;
          r.start = steady_clock::now();
          auto who = whoami(c, service, opts);
          r.end = steady_clock::now();
          r.ok = who.ok();
          if (who) {
            r.address = *who;
          } else {
            r.code = who.error().code;
            r.error = who.error().to_json();
          }
          const auto started = r.start;
          mine.push_back(std::move(r));
          {
            std::lock_guard<std::mutex> guard{mutex_};
            ++done_;
            if (started >= mark_)
              ++done_since_mark_;
          }
          changed_.notify_all();
        }
      });
  }
  ~call_stream() { stop(); }

  /// Waits until `n` calls completed in all (false after `timeout`).
  bool await_done(long n, milliseconds timeout = 20s) {
    std::unique_lock<std::mutex> lock{mutex_};
    return changed_.wait_for(lock, timeout, [&] { return done_ >= n; });
  }
  /// From now on, counts the calls that start after `t`.
  void set_mark(steady_clock::time_point t) {
    std::lock_guard<std::mutex> guard{mutex_};
    mark_ = t;
    done_since_mark_ = 0;
  }
  /// Waits until `n` calls that started after the mark completed.
  bool await_done_since_mark(long n, milliseconds timeout = 20s) {
    std::unique_lock<std::mutex> lock{mutex_};
    return changed_.wait_for(lock, timeout, [&] { return done_since_mark_ >= n; });
  }
  /// Stops the threads and joins them; then records() is complete.
  void stop() {
    stop_ = true;
    for (auto& t : threads_)
      t.join();
  }
  std::vector<call_record> records() const {
    std::vector<call_record> all;
    for (auto& r : records_)
      all.insert(all.end(), r.begin(), r.end());
    return all;
  }

 private:
  std::atomic<bool> stop_{false};
  std::mutex mutex_;
  std::condition_variable changed_;
  long done_ = 0;
  long done_since_mark_ = 0;
  steady_clock::time_point mark_ = steady_clock::time_point::max();
  std::vector<std::vector<call_record>> records_;
  std::vector<joining_thread> threads_;
};

/// Debug.Stats of one node (by address); `key` of it, or -1.
inline long long node_stat(client& c, const running_server& s, const std::string& key) {
  auto stats = c.call<json>(s.name, "Debug.Stats", json::object(),
                            call_options{}.with_address(s.address).with_retries(0).with_timeout(1000ms));
  return stats ? stats->value(key, -1LL) : -1;
}

}  // namespace micro::test
