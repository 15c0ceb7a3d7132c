// bench-scaleout [RUNS]: nodes added to and removed from a service under steady load, with real
// processes (greeter-server, found beside this executable) over the registry of the environment
// (MICRO_REGISTRY, default mdns; MICRO_REGISTRY_ADDRESS for etcd). Each run:
//   one node serving CALLERS threads at RATE calls/s in all (random selector, the default);
//   a 2nd node started -> "join": ms from its spawn to its first call, and to its fair share (the
//   end of the first 100 ms window, sliding by 10 ms, in which it answered >= 3/4 of 1/N of the
//   calls); then its share over the next
//   second; the same for a 3rd node; then the 2nd and 3rd stopped by SIGTERM one after the other
//   -> "leave": ms from SIGTERM to the last call it answered. Failed calls are counted over the
//   whole run, by phase (join, leave) and by code; the target is none.
// Prints one JSON line: medians (and max of the failures) over RUNS runs (default 3). Progress
// on stderr. Exit 1 if a node never appears or never gets its share within 15 s.
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <iostream>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "bench/bench_config.hpp"
#include "bench/child.hpp"
#include "micro/micro.hpp"

using micro::bench::child;

namespace {

using steady = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr std::size_t callers = 8;
constexpr double rate = 2000;           // calls/s in all, evenly spaced
constexpr auto bin = 100ms;             // the share of a node is judged over a window of ~200 calls,
constexpr auto step = 10ms;             // which slides by this much
constexpr double fair_fraction = 0.75;  // "fair" = at least 3/4 of an even share in one window
constexpr auto settle = 1s;             // steady load between events
constexpr auto bound = 15s;             // an event that takes longer has failed

// Response metadata naming the node that answered (set by every service: micro/service.cpp).
constexpr const char* node_key = "micro-node";

// One finished call: when (since the load started), who answered ("" = failed), and its code.
struct outcome {
  steady::duration at;
  std::string node;
  int code = 0;
};

// Steady calls from `callers` threads at `rate` in all, every outcome kept for the analysis.
class load {
 public:
  load(micro::client& client, std::string service) : client_(client), service_(std::move(service)) {
    req_.content_type = "application/json";
    req_.accept = "application/json";
    req_.body = R"({"name":"scale"})";
    start_ = steady::now();
    for (std::size_t i = 0; i < callers; ++i)
      threads_.emplace_back([this] { run(); });
  }
  ~load() { stop(); }
  load(const load&) = delete;
  load& operator=(const load&) = delete;

  void stop() {
    done_ = true;
    for (auto& t : threads_)
      if (t.joinable())
        t.join();
  }

  steady::duration now() const { return steady::now() - start_; }

  /// The outcomes so far (a copy: the callers keep adding).
  std::vector<outcome> outcomes() {
    std::lock_guard<std::mutex> lock{mutex_};
    return outcomes_;
  }

 private:
  void run() {
    while (!done_) {
      auto i = next_.fetch_add(1);
      auto at = start_ + std::chrono::duration_cast<steady::duration>(std::chrono::duration<double>(i / rate));
      std::this_thread::sleep_until(at);
      auto rsp = client_.call_raw(micro::context{}, service_, "Greeter.Hello", req_);
      outcome o{steady::now() - start_, {}, 0};
      if (!rsp) {
        o.code = rsp.error().code;
      } else if (auto n = rsp->metadata.find(node_key); n != rsp->metadata.end()) {
        o.node = n->second;
      } else {
        o.node = "(unnamed)";
      }
      std::lock_guard<std::mutex> lock{mutex_};
      outcomes_.push_back(std::move(o));
    }
  }

  micro::client& client_;
  std::string service_;
  micro::raw_message req_;
  steady::time_point start_;
  std::atomic<bool> done_{false};
  std::atomic<std::uint64_t> next_{0};
  std::mutex mutex_;
  std::vector<outcome> outcomes_;
  std::vector<std::thread> threads_;
};

double ms(steady::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

struct share_count {
  std::size_t ok = 0, of_new = 0;
  double share() const { return ok == 0 ? 0 : static_cast<double>(of_new) / static_cast<double>(ok); }
};

// The calls answered in [from, to), and those of them answered by a node not in `old_nodes`.
share_count count(const std::vector<outcome>& all, steady::duration from, steady::duration to,
                  const std::set<std::string>& old_nodes) {
  share_count c;
  for (auto& o : all)
    if (o.at >= from && o.at < to && !o.node.empty()) {
      ++c.ok;
      c.of_new += old_nodes.count(o.node) == 0;
    }
  return c;
}

std::set<std::string> nodes_seen(const std::vector<outcome>& all) {
  std::set<std::string> s;
  for (auto& o : all)
    if (!o.node.empty())
      s.insert(o.node);
  return s;
}

std::size_t failures_in(const std::vector<outcome>& all, steady::duration from, steady::duration to) {
  return static_cast<std::size_t>(
      std::count_if(all.begin(), all.end(), [&](const outcome& o) { return o.node.empty() && o.at >= from && o.at < to; }));
}

[[noreturn]] void give_up(const std::string& what) {
  std::cerr << "bench-scaleout: " << what << " (within " << std::chrono::duration_cast<std::chrono::seconds>(bound).count()
            << " s)\n";
  std::exit(1);
}

struct join_figures {
  std::string node;  // the id of the node that joined
  double first_call_ms = 0, fair_ms = 0, share_after = 0;
};

// A node spawned now: waits until it answers its fair share of 1/`live` (judged per window from
// its spawn on), then for `settle`, and measures its share over that second.
join_figures await_join(load& l, const std::set<std::string>& old_nodes, std::size_t live) {
  join_figures f;
  auto spawned = l.now();
  std::optional<steady::duration> first, fair;
  auto from = spawned;
  while (!fair) {
    if (l.now() - spawned > bound)
      give_up("a joining node never got its share");
    std::this_thread::sleep_for(bin);
    auto all = l.outcomes();
    if (!first)
      for (auto& o : all)
        if (o.at >= spawned && !o.node.empty() && old_nodes.count(o.node) == 0) {
          first = o.at;
          f.node = o.node;
          break;
        }
    for (; from + bin <= l.now() - 50ms; from += step) {  // whole windows only; 50 ms for stragglers
      auto c = count(all, from, from + bin, old_nodes);
      if (c.share() >= fair_fraction / static_cast<double>(live)) {
        fair = from + bin;  // by then it has had its share for a whole window
        break;
      }
    }
  }
  f.first_call_ms = first ? ms(*first - spawned) : ms(*fair - spawned);
  f.fair_ms = ms(*fair - spawned);
  std::this_thread::sleep_for(settle);
  auto c = count(l.outcomes(), *fair, *fair + settle, old_nodes);
  f.share_after = c.share();
  return f;
}

// SIGTERM to `victim` (node id `id`) now: waits until it has exited and `settle` has passed;
// ms from the signal to the last call it answered.
double await_leave(load& l, child& victim, const std::string& id) {
  auto signalled = l.now();
  victim.stop(std::chrono::duration_cast<std::chrono::milliseconds>(bound));
  std::this_thread::sleep_for(settle);
  double last = 0;
  for (auto& o : l.outcomes())
    if (o.node == id && o.at >= signalled)
      last = std::max(last, ms(o.at - signalled));
  return last;
}

double median(std::vector<double> v) {
  if (v.empty())
    return 0;
  std::sort(v.begin(), v.end());
  auto n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t runs = argc > 1 ? std::stoul(argv[1]) : 3;
  const auto server_bin = micro::bench::executable_dir() + "/greeter-server";
  auto opts = bench::options_from_environment();
  const std::string registry_addr = opts.registry_address;
  const auto service = "bench-scaleout-" + std::to_string(::getpid());
  std::map<std::string, std::string> server_env{{"MICRO_REGISTRY", opts.registry},
                                                {"MICRO_SERVER_NAME", service},
                                                {"MICRO_SERVER_ADDRESS", "127.0.0.1:0"}};
  if (!registry_addr.empty())
    server_env["MICRO_REGISTRY_ADDRESS"] = registry_addr;
  std::optional<micro::client> client_store;
  try {
    client_store.emplace(opts);
  } catch (const micro::error& e) {
    std::cerr << "bench-scaleout: " << e.to_json() << "\n";
    return 1;
  }
  auto& client = *client_store;

  std::vector<double> first2, fair2, share2, first3, fair3, share3, leave2, leave3;
  std::size_t failed_join_max = 0, failed_leave_max = 0, failed_total = 0;
  std::map<int, std::size_t> failed_by_code;
  for (std::size_t r = 0; r < runs; ++r) {
    child n1{server_bin, {}, server_env};
    auto t0 = steady::now();
    micro::raw_message hello{"application/json", R"({"name":"x"})", "application/json", {}};
    while (!client.call_raw(micro::context{}, service, "Greeter.Hello", hello, micro::call_options{}.with_timeout(200ms))) {
      if (steady::now() - t0 > bound)
        give_up("the first node never answered");
      std::this_thread::sleep_for(10ms);
    }
    load l{client, service};
    std::this_thread::sleep_for(settle);
    auto join_from = l.now();
    auto one = nodes_seen(l.outcomes());
    child n2{server_bin, {}, server_env};
    auto j2 = await_join(l, one, 2);
    auto two = nodes_seen(l.outcomes());
    child n3{server_bin, {}, server_env};
    auto j3 = await_join(l, two, 3);
    auto leave_from = l.now();
    auto l2 = await_leave(l, n2, j2.node);
    auto l3 = await_leave(l, n3, j3.node);
    auto end = l.now();
    l.stop();
    auto all = l.outcomes();
    auto fj = failures_in(all, join_from, leave_from), fl = failures_in(all, leave_from, end);
    failed_join_max = std::max(failed_join_max, fj);
    failed_leave_max = std::max(failed_leave_max, fl);
    for (auto& o : all)
      if (o.node.empty()) {
        ++failed_total;
        ++failed_by_code[o.code];
      }
    first2.push_back(j2.first_call_ms), fair2.push_back(j2.fair_ms), share2.push_back(j2.share_after);
    first3.push_back(j3.first_call_ms), fair3.push_back(j3.fair_ms), share3.push_back(j3.share_after);
    leave2.push_back(l2), leave3.push_back(l3);
    std::cerr << "bench-scaleout: run " << r + 1 << ": 2nd node first call " << j2.first_call_ms << " ms, fair share "
              << j2.fair_ms << " ms (" << 100 * j2.share_after << "% after); 3rd " << j3.first_call_ms << " / "
              << j3.fair_ms << " ms (" << 100 * j3.share_after << "%); SIGTERM -> last call " << l2 << " / " << l3
              << " ms; failed " << fj << " joining, " << fl << " leaving, of " << all.size() << " calls\n";
    n1.stop();
  }
  std::ostringstream out;
  out.setf(std::ios::fixed);
  out.precision(1);
  out << "{\"registry\":\"" << opts.registry << "\",\"runs\":" << runs << ",\"rate\":" << rate
      << ",\"join2_first_call_ms\":" << median(first2) << ",\"join2_fair_ms\":" << median(fair2)
      << ",\"join2_share_pct\":" << 100 * median(share2) << ",\"join3_first_call_ms\":" << median(first3)
      << ",\"join3_fair_ms\":" << median(fair3) << ",\"join3_share_pct\":" << 100 * median(share3)
      << ",\"leave2_last_call_ms\":" << median(leave2) << ",\"leave3_last_call_ms\":" << median(leave3)
      << ",\"failed_join_max\":" << failed_join_max << ",\"failed_leave_max\":" << failed_leave_max
      << ",\"failed_total\":" << failed_total << ",\"failed_by_code\":{";
  bool first = true;
  for (auto& [code, n] : failed_by_code) {
    out << (first ? "" : ",") << "\"" << code << "\":" << n;
    first = false;
  }
  out << "}}";
  std::cout << out.str() << std::endl;
  return 0;
}
