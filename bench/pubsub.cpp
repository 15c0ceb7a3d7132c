// bench-pubsub NATS_URL [REPS [PUBS [LAT_PUBS]]]: pub/sub with real processes, one publisher
// (this process) and one or three subscriber processes (bench-pubsub-subscriber, found next to
// this executable), for six peers side by side:
//   actor: micro publish_raw (acknowledged) -> micro subscribe_raw, MICRO_BROKER=actor
//   actor_async: the same, asynchronous publish (queued locally, at most once)
//   actor_pipelined: acknowledged, pipelined (client::publish_acknowledged, <= 1024 unanswered)
//   nats:  the same micro code with MICRO_BROKER=nats, through a nats-server at NATS_URL
//          (acknowledged: publish + flush); nats_async: plain publish
//   raw:   libnats publish + flush -> libnats subscription (the floor under "nats": the same
//          acceptance rule as micro's NATS backend, one PING/PONG round trip per publication)
//   raw_async: libnats natsConnection_Publish alone (its own buffering; the floor under both
//          async modes)
// Async peers share the subscriber processes of their family and have no latency figure.
// NATS_URL "-" measures the actor broker alone; PUBSUB_PEERS=name,... measures only those
// peers. Each subscriber is a process of its own (micro ones are services registered over
// mdns: the local Avahi daemon must answer). Subscriber 0 subscribes to the peer's topic "one"
// and "three", subscribers 1 and 2 to "three" only.
//
// Figures, each the median of REPS runs (default 3), runs alternating between the peers
// (async peers publish ASYNC_PUBS, default 200000, per rate run):
//   <peer>_<subs>_rate:    publications/s, PUBS (default 20000) 64-byte publications from
//                          `threads` publisher threads (each publish blocks until accepted),
//                          from the first publish to the last arrival at the slowest subscriber
//   <peer>_<subs>_p50_us, _p99_us: end-to-end latency (publish call -> subscriber handler, a
//                          steady_clock stamp in the body; same host), LAT_PUBS (default 2000)
//                          publications one at a time, pooled over the subscribers
//   <peer>_lost:           publications some subscriber did not get (summed over all runs;
//                          each subscriber must get every one), <peer>_errors: failed publishes
// Before measuring, the publisher sends probes until every subscriber reported one (so the
// registry shows them all), then one warm-up run per peer and topic. Progress on stderr, one
// JSON line on stdout. Exit 1 if no peer could be measured.
#include <fcntl.h>
#include <nats/nats.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <climits>
#include <cstdlib>
#include <condition_variable>
#include <cstring>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "exec_args.hpp"
#include "bench/bench_config.hpp"
#include "micro/micro.hpp"

extern char** environ;

namespace {

using steady = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr std::size_t payload_bytes = 64;
constexpr int publisher_threads = 8;
constexpr auto probe_bound = 30s;   // subscribers not all seen by then: the peer is dropped
constexpr auto result_bound = 30s;  // end marker -> every subscriber's result line

int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(steady::now().time_since_epoch()).count();
}

std::string executable_dir() {
  char buf[PATH_MAX];
  auto n = ::readlink("/proc/self/exe", buf, sizeof(buf) - 1);
  if (n <= 0)
    return ".";
  std::string path(buf, static_cast<std::size_t>(n));
  return path.substr(0, path.rfind('/'));
}

// The 64-byte body (bench-pubsub-subscriber reads it): [0] kind, [8] run, [16] seq or expected
// count, [24] steady_clock ns at publish, [32] flags (end marker: 1 = report latencies).
std::string body(char kind, uint64_t run, uint64_t seq, uint64_t flags = 0) {
  std::string b(payload_bytes, '\0');
  int64_t stamp = now_ns();
  b[0] = kind;
  std::memcpy(b.data() + 8, &run, 8);
  std::memcpy(b.data() + 16, &seq, 8);
  std::memcpy(b.data() + 24, &stamp, 8);
  std::memcpy(b.data() + 32, &flags, 8);
  return b;
}

// What the subscribers said, line by line on their stdout.
struct result_line {
  uint64_t count = 0;
  int64_t first_ns = 0, last_ns = 0;
  std::vector<int64_t> latencies;
};

class inbox {
 public:
  void post(int child, const std::string& line) {
    std::istringstream in{line};
    std::string word, topic;
    in >> word >> topic;
    std::lock_guard<std::mutex> guard{mutex_};
    if (word == "probe") {
      probes_.insert({child, topic});
    } else if (word == "result") {
      uint64_t run = 0;
      std::size_t n = 0;
      result_line r;
      in >> run >> r.count >> r.first_ns >> r.last_ns >> n;
      r.latencies.resize(n);
      for (auto& l : r.latencies)
        in >> l;
      results_[{child, topic, run}] = std::move(r);
    } else {
      return;
    }
    cv_.notify_all();
  }
  bool probed(const std::vector<int>& children, const std::string& topic, std::chrono::milliseconds within) {
    std::unique_lock<std::mutex> lk{mutex_};
    return cv_.wait_for(lk, within, [&] {
      return std::all_of(children.begin(), children.end(), [&](int c) { return probes_.count({c, topic}) > 0; });
    });
  }
  // Every child's result for `run` on `topic`, or nullopt after `within`.
  std::optional<std::vector<result_line>> results(const std::vector<int>& children, const std::string& topic,
                                                  uint64_t run, std::chrono::milliseconds within) {
    std::unique_lock<std::mutex> lk{mutex_};
    bool all = cv_.wait_for(lk, within, [&] {
      return std::all_of(children.begin(), children.end(),
                         [&](int c) { return results_.count({c, topic, run}) > 0; });
    });
    if (!all)
      return std::nullopt;
    std::vector<result_line> out;
    for (int c : children) {
      auto it = results_.find({c, topic, run});
      out.push_back(std::move(it->second));
      results_.erase(it);
    }
    return out;
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  std::set<std::pair<int, std::string>> probes_;
  std::map<std::tuple<int, std::string, uint64_t>, result_line> results_;
};

// Reads lines from `fd` until EOF, hands each to `line`, closes fd.
template <class F>
std::thread line_reader(int fd, F line) {
  return std::thread{[fd, line] {
    std::string pending;
    char buf[65536];
    for (;;) {
      auto n = ::read(fd, buf, sizeof(buf));
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      pending.append(buf, static_cast<std::size_t>(n));
      std::size_t start = 0, nl;
      while ((nl = pending.find('\n', start)) != std::string::npos) {
        line(pending.substr(start, nl - start));
        start = nl + 1;
      }
      pending.erase(0, start);
    }
    ::close(fd);
  }};
}

// A service's routine lines ("service NAME (ID) listening on ...", "service NAME stopped").
bool routine(const std::string& line) {
  return line.rfind("service ", 0) == 0
         && (line.find(") listening on ") != std::string::npos
             || (line.size() > 8 && line.compare(line.size() - 8, 8, " stopped") == 0));
}

// A subscriber process: fork + execve with the parent's environment minus MICRO_*, plus `env`;
// stdin on /dev/null, stdout read line by line into the inbox, stderr passed on to the bench's
// (but for a service's routine lines); killed with the bench (PR_SET_PDEATHSIG). Stopped with
// SIGTERM (then SIGKILL) when destroyed.
class subscriber_process {
 public:
  subscriber_process(int index, inbox& box, const std::string& path, const std::vector<std::string>& args,
                     const std::map<std::string, std::string>& env) {
    micro::bench::exec_args exec{path, args, env};
    auto& argv = exec.argv;
    auto& envp = exec.envp;
    int out[2], err[2];
    if (::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0)
      throw std::runtime_error(std::string{"pipe failed: "} + std::strerror(errno));
    int devnull = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    pid_t parent = ::getpid();
    pid_ = ::fork();
    if (pid_ == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (::getppid() != parent)
        ::_exit(127);
      sigset_t none;
      ::sigemptyset(&none);
      ::sigprocmask(SIG_SETMASK, &none, nullptr);
      ::dup2(devnull, 0);
      ::dup2(out[1], 1);
      ::dup2(err[1], 2);
      ::execve(argv[0], argv.data(), envp.data());
      ::_exit(127);
    }
    ::close(out[1]);
    ::close(err[1]);
    if (devnull >= 0)
      ::close(devnull);
    if (pid_ < 0) {
      ::close(out[0]);
      ::close(err[0]);
      throw std::runtime_error(std::string{"fork failed: "} + std::strerror(errno));
    }
    reader_ = line_reader(out[0], [index, &box](const std::string& line) { box.post(index, line); });
    stderr_reader_ = line_reader(err[0], [](const std::string& line) {
      if (!routine(line))
        std::cerr << line + "\n";
    });
  }
  ~subscriber_process() {
    ::kill(pid_, SIGTERM);
    auto until = steady::now() + 5s;
    int status = 0;
    bool reaped = false;
    while (!reaped && steady::now() < until) {
      if (::waitpid(pid_, &status, WNOHANG) == pid_)
        reaped = true;
      else
        std::this_thread::sleep_for(5ms);
    }
    if (!reaped) {
      ::kill(pid_, SIGKILL);
      while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
      }
    }
    reader_.join();
    stderr_reader_.join();
  }
  subscriber_process(const subscriber_process&) = delete;
  subscriber_process& operator=(const subscriber_process&) = delete;

 private:
  pid_t pid_ = -1;
  std::thread reader_, stderr_reader_;
};

// Publishes one body on a topic and returns once it is accepted; an error text otherwise.
using publish_fn = std::function<std::optional<std::string>(const std::string& topic, const std::string& body)>;

struct peer {
  std::string name;
  std::string family;             // actor | nats | raw: which subscriber processes it uses
  bool async = false;             // publish does not wait: no latency figure (1 in flight is moot)
  publish_fn publish;
  std::string topics[2];          // [0] one subscriber, [1] three
  std::vector<int> subscribers[2];  // inbox indices of the subscriber processes of each topic
  uint64_t lost = 0, errors = 0;
  std::string first_error;
  bool ok = true;
};

struct run_result {
  double rate = 0;      // publications/s, first publish -> last arrival at the slowest subscriber
  double pub_rate = 0;  // publications/s as the publisher saw them accepted
  double p50_us = 0, p99_us = 0;
  uint64_t lost = 0;
};

double percentile(std::vector<int64_t>& v, double q) {
  if (v.empty())
    return 0;
  auto k = static_cast<std::size_t>(q * static_cast<double>(v.size() - 1) + 0.5);
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return static_cast<double>(v[k]) / 1000.0;
}

double median(std::vector<double> v) {
  if (v.empty())
    return 0;
  std::sort(v.begin(), v.end());
  auto n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

// Publishes probes on each topic of `p` until all its subscribers saw one.
bool probe(peer& p, inbox& box) {
  for (int t = 0; t < 2; ++t) {
    auto until = steady::now() + probe_bound;
    std::string last_error;
    for (;;) {
      if (auto err = p.publish(p.topics[t], body('P', 0, 0)))
        last_error = *err;
      if (box.probed(p.subscribers[t], p.topics[t], 100ms))
        break;
      if (steady::now() > until) {
        std::cerr << "bench-pubsub: " << p.name << ": not every subscriber of " << p.topics[t] << " got a probe within "
                  << std::chrono::duration_cast<std::chrono::seconds>(probe_bound).count() << " s"
                  << (last_error.empty() ? "" : "; last publish error: " + last_error) << "\n";
        return false;
      }
    }
  }
  return true;
}

uint64_t next_run = 0;

// One run: `n` publications from `threads` threads on topic t, then the end marker; waits for
// every subscriber's result.
std::optional<run_result> run(peer& p, inbox& box, int t, int threads, uint64_t n, bool latencies) {
  const uint64_t id = ++next_run;
  const auto& topic = p.topics[t];
  std::atomic<uint64_t> next{0}, errors{0};
  std::mutex error_mutex;
  auto t0 = now_ns();
  std::vector<std::thread> pool;
  for (int i = 0; i < threads; ++i)
    pool.emplace_back([&] {
      for (uint64_t seq; (seq = next.fetch_add(1)) < n;) {
        if (auto err = p.publish(topic, body('D', id, seq))) {
          if (errors.fetch_add(1) == 0) {
            std::lock_guard<std::mutex> guard{error_mutex};
            p.first_error = *err;
          }
        }
      }
    });
  for (auto& th : pool)
    th.join();
  auto t_pub = now_ns();
  p.errors += errors.load();
  // The end marker; again every 2 s until every subscriber reported (an async peer is at most
  // once: NATS drops for a slow consumer, the marker included).
  std::optional<std::vector<result_line>> got;
  auto results_until = steady::now() + result_bound;
  while (!got && steady::now() < results_until) {
    std::optional<std::string> end_error;
    for (int attempt = 0; attempt < 5; ++attempt)
      if (!(end_error = p.publish(topic, body('E', id, n, latencies ? 1 : 0))))
        break;
    if (end_error) {
      std::cerr << "bench-pubsub: " << p.name << ": the end marker was not accepted: " << *end_error << "\n";
      return std::nullopt;
    }
    got = box.results(p.subscribers[t], topic, id, p.async ? 2000ms : result_bound);
  }
  if (!got) {
    std::cerr << "bench-pubsub: " << p.name << ": not every subscriber reported run " << id << " of " << topic
              << " within " << std::chrono::duration_cast<std::chrono::seconds>(result_bound).count() << " s\n";
    return std::nullopt;
  }
  run_result r;
  int64_t last = t_pub;
  std::vector<int64_t> pooled;
  for (auto& s : *got) {
    r.lost += s.count < n ? n - s.count : 0;
    last = std::max(last, s.last_ns);
    pooled.insert(pooled.end(), s.latencies.begin(), s.latencies.end());
  }
  r.rate = static_cast<double>(n) / (static_cast<double>(last - t0) / 1e9);
  r.pub_rate = static_cast<double>(n) / (static_cast<double>(t_pub - t0) / 1e9);
  r.p50_us = percentile(pooled, 0.50);
  r.p99_us = percentile(pooled, 0.99);
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: bench-pubsub NATS_URL|- [REPS [PUBS [LAT_PUBS [ASYNC_PUBS]]]]\n";
    return 2;
  }
  const std::string nats_url = argv[1];
  const bool with_nats = nats_url != "-";
  const std::size_t reps = argc > 2 ? std::stoul(argv[2]) : 3;
  const uint64_t pubs = argc > 3 ? std::stoull(argv[3]) : 20000;
  const uint64_t lat_pubs = argc > 4 ? std::stoull(argv[4]) : 2000;
  // Async runs are ~20x faster: more publications, so a run lasts long enough to measure.
  const uint64_t async_pubs = argc > 5 ? std::stoull(argv[5]) : 200000;
  const auto subscriber_bin = executable_dir() + "/bench-pubsub-subscriber";
  const auto tag = std::to_string(::getpid());

  // The publishers: two micro clients differing only in the broker, and a raw libnats connection.
  auto base = bench::options_from_environment();
  base.registry = "mdns";
  std::optional<micro::client> actor_client, nats_client;
  natsConnection* raw_nc = nullptr;
  try {
    auto o = base;
    o.broker = "actor";
    actor_client.emplace(o);
    if (with_nats) {
      o.broker = "nats";
      o.broker_address = nats_url;
      nats_client.emplace(o);
    }
  } catch (const micro::error& e) {
    std::cerr << "bench-pubsub: " << e.to_json() << "\n";
    return 1;
  }
  if (with_nats) {
    if (auto s = natsConnection_ConnectTo(&raw_nc, nats_url.c_str()); s != NATS_OK) {
      std::cerr << "bench-pubsub: cannot connect to " << nats_url << ": " << natsStatus_GetText(s) << "\n";
      return 1;
    }
  }
  auto micro_publish = [](micro::client& c, micro::delivery mode) -> publish_fn {
    return [&c, mode](const std::string& topic, const std::string& b) -> std::optional<std::string> {
      micro::raw_message m;
      m.content_type = "application/octet-stream";
      m.body = b;
      // A full local queue (429, async only) is back-pressure: this publisher pauses and tries
      // again, as libnats' publish blocks on its full buffer (spinning on yield took the CPU the
      // broker needed to drain the queue).
      for (;;) {
        auto st = c.publish_raw(topic, m, micro::publish_options{}.with_mode(mode));
        if (st)
          return std::nullopt;
        if (st.error().code != 429)
          return st.error().to_json();
        std::this_thread::sleep_for(100us);
      }
    };
  };
  std::vector<peer> peers;
  auto make_peer = [](std::string name, std::string family, bool async, publish_fn publish) {
    peer p;
    p.name = std::move(name);
    p.family = std::move(family);
    p.async = async;
    p.publish = std::move(publish);
    return p;
  };
  using micro::delivery;
  peers.push_back(make_peer("actor", "actor", false, micro_publish(*actor_client, delivery::acknowledged)));
  peers.push_back(make_peer("actor_async", "actor", true, micro_publish(*actor_client, delivery::async)));
  // Acknowledged and pipelined: publish_acknowledged with at most `window` unanswered; a
  // failure shows as a publication some subscriber did not get (and is printed once).
  struct pipeline {
    std::mutex mutex;
    std::condition_variable cv;
    std::size_t outstanding = 0;
    bool reported = false;
  };
  auto pipe = std::make_shared<pipeline>();
  constexpr std::size_t window = 1024;
  peers.push_back(make_peer("actor_pipelined", "actor", true,
                            [pipe, &c = *actor_client](const std::string& topic, const std::string& b) -> std::optional<std::string> {
                              micro::raw_message m;
                              m.content_type = "application/octet-stream";
                              m.body = b;
                              {
                                std::unique_lock<std::mutex> lock{pipe->mutex};
                                pipe->cv.wait(lock, [&] { return pipe->outstanding < window; });
                                ++pipe->outstanding;
                              }
                              c.publish_acknowledged(topic, m, [pipe](const micro::status& st) {
                                std::lock_guard<std::mutex> guard{pipe->mutex};
                                --pipe->outstanding;
                                if (!st && !pipe->reported) {
                                  pipe->reported = true;
                                  std::cerr << "bench-pubsub: actor_pipelined: " << st.error().to_json() << "\n";
                                }
                                pipe->cv.notify_all();
                              });
                              return std::nullopt;
                            }));
  if (with_nats) {
    peers.push_back(make_peer("nats", "nats", false, micro_publish(*nats_client, delivery::acknowledged)));
    peers.push_back(make_peer("nats_async", "nats", true, micro_publish(*nats_client, delivery::async)));
    peers.push_back(make_peer("raw", "raw", false, [raw_nc](const std::string& topic, const std::string& b) -> std::optional<std::string> {
                           auto s = natsConnection_Publish(raw_nc, topic.c_str(), b.data(), static_cast<int>(b.size()));
                           if (s == NATS_OK)
                             s = natsConnection_FlushTimeout(raw_nc, 5000);
                           if (s != NATS_OK)
                             return std::string{natsStatus_GetText(s)};
                           return std::nullopt;
                         }));
    // libnats' own buffering: PUB into the connection's buffer, written out by its flusher.
    peers.push_back(make_peer("raw_async", "raw", true, [raw_nc](const std::string& topic, const std::string& b) -> std::optional<std::string> {
                           auto s = natsConnection_Publish(raw_nc, topic.c_str(), b.data(), static_cast<int>(b.size()));
                           if (s != NATS_OK)
                             return std::string{natsStatus_GetText(s)};
                           return std::nullopt;
                         }));
  }

  // PUBSUB_PEERS=a,b,...: measure only those peers (profiling one path, or a quick A/B).
  if (const char* only = std::getenv("PUBSUB_PEERS"); only != nullptr && *only != '\0') {
    std::set<std::string> wanted;
    std::istringstream list{only};
    for (std::string name; std::getline(list, name, ',');)
      wanted.insert(name);
    peers.erase(std::remove_if(peers.begin(), peers.end(), [&](const peer& p) { return wanted.count(p.name) == 0; }),
                peers.end());
    if (peers.empty()) {
      std::cerr << "bench-pubsub: PUBSUB_PEERS=" << only << " names no peer\n";
      return 2;
    }
  }

  // The subscriber processes: three per family, each subscribed to the topics of every peer of
  // its family (process 0 to "one" and "three", 1 and 2 to "three").
  inbox box;
  std::vector<std::unique_ptr<subscriber_process>> children;
  for (auto& p : peers) {
    p.topics[0] = "bench.pubsub." + tag + "." + p.name + ".one";
    p.topics[1] = "bench.pubsub." + tag + "." + p.name + ".three";
  }
  for (const std::string family : {"actor", "nats", "raw"}) {
    std::vector<peer*> members;
    for (auto& p : peers)
      if (p.family == family)
        members.push_back(&p);
    if (members.empty())
      continue;
    std::cerr << "bench-pubsub: starting 3 subscriber processes for " << family << "\n";
    for (int i = 0; i < 3; ++i) {
      std::vector<std::string> topics;
      for (auto* p : members) {
        if (i == 0)
          topics.push_back(p->topics[0]);
        topics.push_back(p->topics[1]);
      }
      std::vector<std::string> args;
      std::map<std::string, std::string> env;
      if (family == "raw") {
        args = {"nats", nats_url};
      } else {
        args = {"micro"};
        env = {{"MICRO_REGISTRY", "mdns"},
               {"MICRO_SERVER_NAME", "bench-pubsub-" + tag + "-" + family},
               {"MICRO_SERVER_ADDRESS", "127.0.0.1:0"},
               {"MICRO_BROKER", family}};
        if (family == "nats")
          env["MICRO_BROKER_ADDRESS"] = nats_url;
      }
      args.insert(args.end(), topics.begin(), topics.end());
      int index = static_cast<int>(children.size());
      children.push_back(std::make_unique<subscriber_process>(index, box, subscriber_bin, args, env));
      for (auto* p : members) {
        if (i == 0)
          p->subscribers[0].push_back(index);
        p->subscribers[1].push_back(index);
      }
    }
  }
  auto t_probe = steady::now();
  for (auto& p : peers) {
    p.ok = probe(p, box);
    if (p.ok)
      std::cerr << "bench-pubsub: " << p.name << ": all subscribers seen after "
                << std::chrono::duration_cast<std::chrono::milliseconds>(steady::now() - t_probe).count() << " ms\n";
  }
  for (auto& p : peers)
    for (int t = 0; p.ok && t < 2; ++t)
      if (!run(p, box, t, publisher_threads, std::min<uint64_t>(pubs, 2000), false))
        p.ok = false;

  // Measured runs: for each figure, the peers one after the other, REPS times.
  std::map<std::string, std::vector<double>> samples;
  const int subs_of[2] = {1, 3};
  for (std::size_t rep = 1; rep <= reps; ++rep) {
    for (int latency = 0; latency < 2; ++latency)
      for (int t = 0; t < 2; ++t)
        for (auto& p : peers) {
          if (!p.ok || (latency && p.async))
            continue;
          auto r = latency ? run(p, box, t, 1, lat_pubs, true)
                           : run(p, box, t, publisher_threads, p.async ? async_pubs : pubs, false);
          if (!r) {
            p.ok = false;
            continue;
          }
          p.lost += r->lost;
          auto key = p.name + "_" + std::to_string(subs_of[t]);
          std::ostringstream line;
          line.setf(std::ios::fixed);
          line.precision(0);
          line << "bench-pubsub: rep " << rep << "/" << reps << " " << p.name << ", " << subs_of[t] << " subscriber(s): ";
          if (latency) {
            samples[key + "_p50_us"].push_back(r->p50_us);
            samples[key + "_p99_us"].push_back(r->p99_us);
            line << "latency p50 " << r->p50_us << " us, p99 " << r->p99_us << " us";
          } else {
            samples[key + "_rate"].push_back(r->rate);
            line << r->rate << " publications/s (accepted at " << r->pub_rate << "/s)";
          }
          if (r->lost > 0)
            line << ", LOST " << r->lost;
          std::cerr << line.str() << "\n";
        }
  }

  bool any = false;
  std::ostringstream out;
  out.setf(std::ios::fixed);
  out.precision(1);
  out << "{\"reps\":" << reps << ",\"pubs\":" << pubs << ",\"async_pubs\":" << async_pubs << ",\"lat_pubs\":" << lat_pubs
      << ",\"threads\":" << publisher_threads << ",\"payload\":" << payload_bytes;
  for (auto& p : peers) {
    if (p.ok)
      any = true;
    else
      std::cerr << "bench-pubsub: " << p.name << " could not be measured (see above)\n";
    if (p.errors > 0)
      std::cerr << "bench-pubsub: " << p.name << ": " << p.errors << " publishes failed, the first: " << p.first_error
                << "\n";
    if (p.lost > 0)
      std::cerr << "bench-pubsub: " << p.name << ": " << p.lost << " publications did not reach every subscriber\n";
    out << ",\"" << p.name << "_ok\":" << (p.ok ? "true" : "false") << ",\"" << p.name << "_lost\":" << p.lost << ",\""
        << p.name << "_errors\":" << p.errors;
  }
  for (auto& [key, v] : samples)
    out << ",\"" << key << "\":" << median(v);
  out << "}";
  children.clear();  // SIGTERM: the micro ones deregister
  if (raw_nc != nullptr)
    natsConnection_Destroy(raw_nc);
  std::cout << out.str() << std::endl;
  return any ? 0 : 1;
}
