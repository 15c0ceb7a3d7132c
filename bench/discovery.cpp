// bench-discovery [RUNS [CLI_RUNS]]: how fast services appear and disappear for a client, over
// the mdns registry (the local Avahi daemon), with real processes: greeter-server and the
// `micro` CLI, both found next to this executable. Prints one JSON line (times in ms):
//   start_call_*: spawning a greeter-server -> the first successful call from this client
//                 (already running, its registry settled); calls of 200 ms, 2 ms apart.
//   kill_gone_*:  with two instances known to the client (it has called both), SIGKILL one ->
//                 its address is gone from client.resolve() (polled every 2 ms).
//   term_gone_*:  the same for SIGTERM (graceful stop: deregister).
//   cli_call_*:   `micro call SERVICE Greeter.Hello {"name":"x"}` end to end, a fresh process
//                 (includes its registry's mDNS settle) with the server already registered.
// Median and max of RUNS runs each for SIGKILL and SIGTERM (default 8), of the 2*RUNS starts
// these take, and of CLI_RUNS CLI calls (default 5): ~2 s per run, ~35 s in all. The service
// gets a name unique to this process, so other users of the same Avahi daemon cannot answer.
// Progress goes to stderr. Exit 1 if Avahi is not reachable or a run never completes.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "bench/child.hpp"
#include "bench/bench_config.hpp"
#include "micro/micro.hpp"

extern char** environ;

using micro::bench::child;
using micro::bench::executable_dir;

namespace {

using steady = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr auto poll_gap = 2ms;
constexpr auto call_timeout = 200ms;
constexpr auto run_bound = 15s;  // a run that takes longer than this has failed

double ms_since(steady::time_point t0) {
  return std::chrono::duration<double, std::milli>(steady::now() - t0).count();
}


struct figure {
  std::vector<double> ms;
  double median() const {
    if (ms.empty())
      return 0;
    auto s = ms;
    std::sort(s.begin(), s.end());
    auto n = s.size();
    return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
  }
  double max() const { return ms.empty() ? 0 : *std::max_element(ms.begin(), ms.end()); }
};

std::vector<std::string> addresses(micro::client& client, const std::string& service) {
  auto r = client.resolve(service);
  return r ? *r : std::vector<std::string>{};
}

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

// Polls resolve every poll_gap until `done(addresses)`; false after run_bound.
template <class Pred>
bool poll_until(micro::client& client, const std::string& service, Pred done) {
  auto until = steady::now() + run_bound;
  while (steady::now() < until) {
    if (done(addresses(client, service)))
      return true;
    std::this_thread::sleep_for(poll_gap);
  }
  return false;
}

[[noreturn]] void give_up(const std::string& what) {
  std::cerr << "bench-discovery: " << what << " (no answer within "
            << std::chrono::duration_cast<std::chrono::seconds>(run_bound).count() << " s)\n";
  std::exit(1);
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t runs = argc > 1 ? std::stoul(argv[1]) : 8;
  std::size_t cli_runs = argc > 2 ? std::stoul(argv[2]) : 5;
  const auto bin = executable_dir();
  const auto server_bin = bin + "/greeter-server";
  const auto cli_bin = bin + "/micro";
  const auto service = "bench-discovery-" + std::to_string(::getpid());
  auto with_tag = [&service](const std::string& tag) {
    return std::map<std::string, std::string>{{"MICRO_REGISTRY", "mdns"},
                                              {"MICRO_SERVER_NAME", service},
                                              {"MICRO_SERVER_ADDRESS", "127.0.0.1:0"},
                                              {"MICRO_SERVER_METADATA", "run=" + tag}};
  };

  auto opts = bench::options_from_environment();
  opts.registry = "mdns";
  std::optional<micro::client> client_store;
  try {
    client_store.emplace(opts);
  } catch (const micro::error& e) {
    std::cerr << "bench-discovery: " << e.to_json() << "\n";
    return 1;
  }
  auto& client = *client_store;
  // Let this client's registry settle (its first lookup waits for the browse to settle).
  if (auto r = client.resolve(service); !r && r.error().code != 404) {
    std::cerr << "bench-discovery: " << r.error().to_json() << "\n";
    return 1;
  }

  micro::raw_message hello;
  hello.content_type = "application/json";
  hello.accept = "application/json";
  hello.body = R"({"name":"x"})";
  auto call_opts = micro::call_options{}.with_timeout(call_timeout);

  // With one instance staying up, each run starts a second one (tagged run=i in its node
  // metadata), calls it until a call succeeds (1: start -> first call, through a filter on the
  // tag, so the staying instance cannot answer), then stops it with SIGKILL or SIGTERM and
  // polls resolve() until its address is gone (2). So every start sample is taken with the
  // registry in the same state, and the bench takes ~2 s per run.
  child stay{server_bin, {}, with_tag("stay")};
  if (!poll_until(client, service, [](const auto& a) { return a.size() == 1; }))
    give_up("the first instance never appeared");
  figure start_call, kill_gone, term_gone;
  std::size_t tag = 0;
  auto run = [&](int sig, figure& gone, const char* label) {
    auto run_tag = std::to_string(++tag);
    auto opts_tagged = micro::call_options{call_opts}.with_filter([run_tag](const auto&, const micro::registry::node& n) {
      auto it = n.meta.find("run");
      return it != n.meta.end() && it->second == run_tag;
    });
    auto t0 = steady::now();
    child victim{server_bin, {}, with_tag(run_tag)};
    bool ok = false;
    while (!ok && steady::now() - t0 < run_bound) {
      ok = client.call_raw(micro::context{}, service, "Greeter.Hello", hello, opts_tagged).ok();
      if (!ok)
        std::this_thread::sleep_for(poll_gap);
    }
    if (!ok)
      give_up("no successful call to a freshly started instance");
    start_call.ms.push_back(ms_since(t0));
    auto found = client.resolve(service, opts_tagged.filters);
    if (!found || found->size() != 1)
      give_up("the new instance is not the only node with its tag");
    auto victim_address = found->front();
    auto t1 = steady::now();
    victim.signal(sig);
    if (!poll_until(client, service, [&](const auto& a) { return !contains(a, victim_address); }))
      give_up(std::string{"a "} + label + " instance stayed in the registry");
    gone.ms.push_back(ms_since(t1));
    victim.wait();
    std::cerr << "bench-discovery: start -> first call " << start_call.ms.back() << " ms, " << label
              << " -> gone " << gone.ms.back() << " ms\n";
  };
  for (std::size_t i = 0; i < runs; ++i) {
    run(SIGKILL, kill_gone, "SIGKILL");
    run(SIGTERM, term_gone, "SIGTERM");
  }

  // 3. a fresh CLI process calls the registered instance.
  figure cli_call;
  for (std::size_t i = 0; i < cli_runs; ++i) {
    auto t0 = steady::now();
    child cli{cli_bin, {"call", service, "Greeter.Hello", R"({"name":"x"})"}, {{"MICRO_REGISTRY", "mdns"}}};
    int st = cli.wait();
    cli_call.ms.push_back(ms_since(t0));
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
      std::cerr << "bench-discovery: `micro call` failed (wait status " << st << ")\n";
      return 1;
    }
    std::cerr << "bench-discovery: micro call " << cli_call.ms.back() << " ms\n";
  }
  stay.stop();

  std::ostringstream out;
  out.setf(std::ios::fixed);
  out.precision(1);
  out << "{\"runs\":" << runs << ",\"start_runs\":" << start_call.ms.size() << ",\"start_call_p50_ms\":" << start_call.median()
      << ",\"start_call_max_ms\":" << start_call.max() << ",\"kill_gone_p50_ms\":" << kill_gone.median()
      << ",\"kill_gone_max_ms\":" << kill_gone.max() << ",\"term_gone_p50_ms\":" << term_gone.median()
      << ",\"term_gone_max_ms\":" << term_gone.max() << ",\"cli_runs\":" << cli_runs
      << ",\"cli_call_p50_ms\":" << cli_call.median() << ",\"cli_call_max_ms\":" << cli_call.max() << "}";
  std::cout << out.str() << std::endl;
  return 0;
}
