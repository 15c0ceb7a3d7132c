// micro bench SERVICE ENDPOINT [JSON] ...: steady calls for a while, through the registry and the
// selector as `micro call` makes them, from `--concurrency` threads at once (each waits for its
// answer before its next call; `--rate` spaces the starts). Prints calls/s, latency percentiles,
// errors by code and calls per answering node, so balancing and failover show in the numbers.
#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <csignal>
#include <iostream>
#include <mutex>
#include <optional>
#include <system_error>
#include <thread>

#include "micro/cli/args.hpp"
#include "micro/cli/bench_options.hpp"
#include "micro/cli/bench_report.hpp"
#include "micro/cli/bench_tally.hpp"
#include "micro/cli/commands.hpp"

namespace micro::cli {

namespace {

using clock = std::chrono::steady_clock;

// Response metadata naming the node that answered (set by every service: micro/service.cpp).
constexpr const char* node_metadata_key = "micro-node";

// SIGINT/SIGTERM end the run early; the calls in flight finish and the summary is printed.
std::atomic<bool> interrupted{false};
extern "C" void on_interrupt(int) { interrupted.store(true); }

class interrupt_guard {
 public:
  interrupt_guard() : int_(std::signal(SIGINT, on_interrupt)), term_(std::signal(SIGTERM, on_interrupt)) {}
  ~interrupt_guard() {
    std::signal(SIGINT, int_);
    std::signal(SIGTERM, term_);
  }
  interrupt_guard(const interrupt_guard&) = delete;
  interrupt_guard& operator=(const interrupt_guard&) = delete;

 private:
  void (*int_)(int);
  void (*term_)(int);
};

// Hands out the start time of each call until the run is over (shared by all caller threads).
class schedule {
 public:
  schedule(const bench_options& o, clock::time_point start) : o_(o), start_(start), end_(start + o.duration) {}

  /// When the next call should start; nullopt once the run is over.
  std::optional<clock::time_point> next() {
    if (interrupted.load())
      return std::nullopt;
    auto i = taken_.fetch_add(1);
    if (o_.requests > 0 && i >= o_.requests)
      return std::nullopt;
    auto now = clock::now();
    auto at = now;
    if (o_.rate > 0)
      at = start_ + std::chrono::duration_cast<clock::duration>(std::chrono::duration<double>(static_cast<double>(i) / o_.rate));
    if (o_.requests == 0 && std::max(at, now) >= end_)
      return std::nullopt;
    return at;
  }

 private:
  const bench_options& o_;
  clock::time_point start_, end_;
  std::atomic<std::size_t> taken_{0};
};

// Sleeps until `at` in short steps, so an interrupt is not kept waiting. False if interrupted.
bool wait_until(clock::time_point at) {
  while (!interrupted.load()) {
    auto now = clock::now();
    if (now >= at)
      return true;
    std::this_thread::sleep_for(std::min<clock::duration>(at - now, std::chrono::milliseconds{100}));
  }
  return false;
}

void call_loop(micro::client& client, const bench_options& o, const raw_message& req, schedule& plan, bench_tally& tally) {
  while (auto at = plan.next()) {
    if (!wait_until(*at))
      return;
    auto t0 = clock::now();
    auto rsp = client.call_raw(context{}, o.service, o.endpoint, req, o.call);
    auto latency = clock::now() - t0;
    if (!rsp) {
      tally.record_error(rsp.error());
      continue;
    }
    auto node = rsp->metadata.find(node_metadata_key);
    tally.record_ok(latency, node == rsp->metadata.end() ? std::string{"(unnamed)"} : node->second);
  }
}

// The address of each node of `service` that the registry knows by id (mdns, memory; a static
// entry has no node id to match).
std::map<std::string, std::string> node_addresses(micro::client& client, const std::string& service) {
  std::map<std::string, std::string> out;
  auto found = client.registry()->get_service(service);
  for (auto& version : found.value)
    for (auto& n : version.nodes)
      out[n.id] = n.address;
  return out;
}

// The caller threads of one run: started together, waited for with progress lines meanwhile.
class caller_threads {
 public:
  caller_threads(micro::client& client, const bench_options& o, const raw_message& req, schedule& plan,
                 bench_tally& tally)
      : running_(o.concurrency) {
    for (std::size_t t = 0; t < o.concurrency && !error_; ++t) {
      try {
        threads_.emplace_back([&, this] {
          call_loop(client, o, req, plan, tally);
          std::lock_guard<std::mutex> lock{mutex_};
          if (--running_ == 0)
            all_done_.notify_all();
        });
      } catch (const std::system_error& e) {  // out of threads: end the run, report it
        error_ = errors::service_unavailable(cli_error_id, "cannot start caller thread " + std::to_string(t + 1) +
                                                               " of " + std::to_string(o.concurrency) + ": " + e.what());
        interrupted.store(true);
        std::lock_guard<std::mutex> lock{mutex_};
        running_ -= o.concurrency - t;
      }
    }
  }
  ~caller_threads() { join(); }
  caller_threads(const caller_threads&) = delete;
  caller_threads& operator=(const caller_threads&) = delete;

  /// Waits until every thread is done; meanwhile, every `interval` (if not 0), prints the
  /// stretch's counts on stderr.
  void wait(std::chrono::nanoseconds interval, clock::time_point start, bench_tally& tally) {
    {
      std::unique_lock<std::mutex> lock{mutex_};
      auto done = [this] { return running_ == 0; };
      auto last = start;
      while (interval.count() > 0 && !all_done_.wait_until(lock, last + interval, done)) {
        auto now = clock::now();
        std::cerr << progress_line(std::chrono::duration<double>(now - start).count(),
                                   std::chrono::duration<double>(now - last).count(), tally.take_interval())
                  << std::endl;
        last = now;
      }
      all_done_.wait(lock, done);
    }
    join();
  }

  /// Why not every thread could be started, if so.
  const std::optional<micro::error>& error() const { return error_; }

 private:
  void join() {
    for (auto& t : threads_)
      if (t.joinable())
        t.join();
  }

  std::mutex mutex_;
  std::condition_variable all_done_;
  std::size_t running_;
  std::vector<std::thread> threads_;
  std::optional<micro::error> error_;
};

}  // namespace

int bench(micro::client& client, const std::vector<std::string>& args) {
  auto parsed = parse_bench_options(args);
  if (!parsed)
    return fail(parsed.error());
  const auto& o = *parsed;
  raw_message req;
  req.content_type = o.content_type;
  req.accept = "application/json";
  req.body = o.body;

  interrupted.store(false);
  interrupt_guard guard;
  bench_tally tally;
  auto start = clock::now();
  schedule plan{o, start};
  caller_threads callers{client, o, req, plan, tally};
  callers.wait(o.interval, start, tally);
  if (callers.error())
    return fail(*callers.error());
  auto summary = tally.summarize(clock::now() - start);

  bench_setup setup{&o, o.call.strategy ? to_string(*o.call.strategy) : client.opts().selector, {}};
  if (!summary.counts.by_node.empty())
    setup.addresses = node_addresses(client, o.service);
  std::cout << (o.json_output ? json_report(setup, summary) : text_report(setup, summary)) << std::endl;
  if (interrupted.load())
    std::cerr << "micro bench: interrupted; the summary covers the calls made until then\n";
  if (summary.counts.calls == summary.counts.failed) {
    std::cerr << "micro bench: " << (summary.counts.calls == 0 ? "no call was made" : "every call failed") << "\n";
    return 1;
  }
  return 0;
}

}  // namespace micro::cli
