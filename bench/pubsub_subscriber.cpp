// bench-pubsub-subscriber: the subscriber side of bench-pubsub, one process per subscriber.
//
//   bench-pubsub-subscriber micro TOPIC...     a micro service (name, registry, broker from the
//                                              MICRO_* environment) subscribing to each TOPIC
//   bench-pubsub-subscriber nats URL TOPIC...  raw libnats: a plain NATS subscription per TOPIC
//
// Publications are bench-pubsub's 64-byte bodies (see pubsub_wire below). Each subscription
// keeps its own state on its own delivery thread (both micro and libnats run a subscription's
// deliveries one at a time, in order). Lines on stdout, for the bench:
//   probe TOPIC                        the first probe seen on TOPIC
//   result TOPIC RUN COUNT FIRST LAST N LAT...
//                                      at the end marker of RUN: data publications received,
//                                      steady-clock ns of the first and last, and (if the
//                                      marker asks) the N end-to-end latencies in ns
// Runs until SIGTERM/SIGINT.
#include <nats/nats.h>
#include <signal.h>

#include <chrono>
#include <cstdint>
#include <cstring>
#include <iostream>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <vector>

#include "micro/micro.hpp"

namespace pubsub_wire {

// Body layout (little-endian host, same machine): [0] kind, [8] run, [16] seq or expected
// count, [24] steady_clock ns at publish, [32] end marker: 1 = report latencies. 64 bytes.
constexpr char probe = 'P', data = 'D', end = 'E';

struct fields {
  char kind = 0;
  uint64_t run = 0;
  uint64_t seq = 0;
  int64_t stamp_ns = 0;
  uint64_t flags = 0;
};

inline bool parse(const char* p, std::size_t n, fields& f) {
  if (n < 40)
    return false;
  f.kind = p[0];
  std::memcpy(&f.run, p + 8, 8);
  std::memcpy(&f.seq, p + 16, 8);
  std::memcpy(&f.stamp_ns, p + 24, 8);
  std::memcpy(&f.flags, p + 32, 8);
  return true;
}

}  // namespace pubsub_wire

namespace {

int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
    .count();
}

std::mutex out_mutex;

void say(const std::string& line) {
  std::lock_guard<std::mutex> guard{out_mutex};
  std::cout << line << std::endl;
}

// One subscription's state; touched only by its delivery thread.
struct topic_state {
  std::string topic;
  bool probed = false;
  uint64_t run = 0;
  uint64_t count = 0;
  int64_t first_ns = 0;
  int64_t last_ns = 0;
  std::vector<int64_t> latencies;

  void on(const char* p, std::size_t n) {
    auto t = now_ns();
    pubsub_wire::fields f;
    if (!pubsub_wire::parse(p, n, f))
      return;
    if (f.kind == pubsub_wire::probe) {
      if (!probed)
        say("probe " + topic);
      probed = true;
      return;
    }
    if (f.run != run) {  // a new run
      run = f.run;
      count = 0;
      first_ns = last_ns = 0;
      latencies.clear();
    }
    if (f.kind == pubsub_wire::data) {
      if (count++ == 0)
        first_ns = t;
      last_ns = t;
      latencies.push_back(t - f.stamp_ns);
    } else if (f.kind == pubsub_wire::end) {
      std::ostringstream line;
      line << "result " << topic << " " << run << " " << count << " " << first_ns << " " << last_ns;
      if (f.flags & 1) {
        line << " " << latencies.size();
        for (auto l : latencies)
          line << " " << l;
      } else {
        line << " 0";
      }
      say(line.str());
      latencies.clear();
    }
  }
};

int run_micro(int argc, char** argv) {
  micro::service svc{micro::options{}.with_name("bench-pubsub-subscriber")};
  svc.init(1, argv);  // the MICRO_* environment only
  for (int i = 2; i < argc; ++i) {
    auto st = std::make_shared<topic_state>();
    st->topic = argv[i];
    st->latencies.reserve(1 << 16);
    svc.server().subscribe_raw(argv[i], "bench.Payload", [st](const micro::context&, const micro::raw_message& m) {
      st->on(m.body.data(), m.body.size());
      return micro::status{};
    },
    // Push-back rather than micro's default drop when full: the bench wants every publication
    // delivered, and measures the rate at which that holds (NATS ignores it: at most once).
    micro::subscribe_options{}.with_wait_when_full());
  }
  return svc.run();
}

void on_nats_message(natsConnection*, natsSubscription*, natsMsg* msg, void* closure) {
  auto* st = static_cast<topic_state*>(closure);
  st->on(natsMsg_GetData(msg), static_cast<std::size_t>(natsMsg_GetDataLength(msg)));
  natsMsg_Destroy(msg);
}

int run_nats(int argc, char** argv) {
  if (argc < 4) {
    std::cerr << "usage: bench-pubsub-subscriber nats URL TOPIC...\n";
    return 2;
  }
  // Block the stop signals before libnats starts its threads; this thread waits for them.
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);
  natsConnection* nc = nullptr;
  if (auto s = natsConnection_ConnectTo(&nc, argv[2]); s != NATS_OK) {
    std::cerr << "bench-pubsub-subscriber: cannot connect to " << argv[2] << ": " << natsStatus_GetText(s) << "\n";
    return 1;
  }
  std::vector<std::unique_ptr<topic_state>> states;
  std::vector<natsSubscription*> subs;
  for (int i = 3; i < argc; ++i) {
    states.push_back(std::make_unique<topic_state>());
    states.back()->topic = argv[i];
    states.back()->latencies.reserve(1 << 16);
    natsSubscription* sub = nullptr;
    if (auto s = natsConnection_Subscribe(&sub, nc, argv[i], on_nats_message, states.back().get()); s != NATS_OK) {
      std::cerr << "bench-pubsub-subscriber: cannot subscribe to " << argv[i] << ": " << natsStatus_GetText(s) << "\n";
      return 1;
    }
    subs.push_back(sub);
  }
  natsConnection_Flush(nc);
  int sig = 0;
  sigwait(&stop, &sig);
  for (auto* sub : subs) {
    natsSubscription_Unsubscribe(sub);
    natsSubscription_Destroy(sub);
  }
  natsConnection_Destroy(nc);
  nats_Close();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "micro" && argc > 2)
    return run_micro(argc, argv);
  if (mode == "nats")
    return run_nats(argc, argv);
  std::cerr << "usage: bench-pubsub-subscriber micro TOPIC... | nats URL TOPIC...\n";
  return 2;
}
