// micro-pubsub-test-server: a service that subscribes to topics and prints what it gets, for the
// pub/sub tests (real processes, found over mDNS or whatever MICRO_REGISTRY says).
//
//   micro-pubsub-test-server --server_name NAME    (plus MICRO_* variables: address, registry,
//                                                   broker, broker address, heartbeats, ...)
//
// Prints "ready ADDRESS NODE_ID TRANSPORT TRANSPORT_ADDRESS" as the first line of stdout once it
// serves and its subscriptions are advertised (TRANSPORT: what it serves over, MICRO_TRANSPORT;
// TRANSPORT_ADDRESS: its port there, "-" for caf), then, for each publication a subscriber gets, one line
//   got TOPIC SEQ KEY=VALUE ...
// SEQ is the pubsubtest.Tick's seq (TEST_RAW=0) or the publication's metadata "seq" ("-" when
// absent); KEY=VALUE is the publication's metadata, in key order. The line is written (and
// flushed) when the handler starts, before it sleeps. Runs until SIGINT/SIGTERM.
//
// Knobs (TEST_*, not MICRO_*: the tests' process helper passes them on explicitly):
//   TEST_TOPICS=a,b        topics to subscribe to (default "pubsub.test"), one subscription each
//   TEST_QUEUE=G           join queue group G (default: plain subscriber)
//   TEST_WINDOW=N          in-flight window (default: micro's)
//   TEST_REFUSE_WHEN_FULL=1  429 to the publisher past the window instead of making it wait
//   TEST_ACK=1             ack mode: the publisher waits for the handler and gets its error
//   TEST_DELAY_MS=N        every handler run sleeps N ms after printing its line
//   TEST_RAW=1             subscribe at the byte level (any content type) instead of to Tick
// On demand, per publication (metadata): "sleep_ms" = N makes its handler sleep N ms instead of
// TEST_DELAY_MS; "fail" = CODE makes it throw a micro::error with that code and detail
// "failing on demand (seq N)" (after the sleep).
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "micro/micro.hpp"
#include "tick.pb.h"

namespace {

long env_number(const char* name, long fallback) {
  const char* text = std::getenv(name);
  if (text == nullptr || *text == '\0')
    return fallback;
  char* end = nullptr;
  long v = std::strtol(text, &end, 10);
  if (*end != '\0' || v < 0) {
    std::cerr << name << " must be a non-negative integer, got \"" << text << "\"" << std::endl;
    std::exit(2);
  }
  return v;
}

std::string env_text(const char* name, std::string fallback) {
  const char* text = std::getenv(name);
  return text == nullptr || *text == '\0' ? fallback : std::string{text};
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::stringstream in{s};
  std::string item;
  while (std::getline(in, item, sep))
    if (!item.empty())
      out.push_back(item);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  micro::service svc{micro::options{}.with_name("pubsub-test")};
  svc.init(argc, argv);

  const auto topics = split(env_text("TEST_TOPICS", "pubsub.test"), ',');
  const auto delay = std::chrono::milliseconds{env_number("TEST_DELAY_MS", 0)};
  const bool raw = env_number("TEST_RAW", 0) != 0;
  micro::subscribe_options opts;
  opts.with_queue(env_text("TEST_QUEUE", ""));
  if (auto w = env_number("TEST_WINDOW", 0); w > 0)
    opts.with_window(static_cast<std::size_t>(w));
  opts.with_refuse_when_full(env_number("TEST_REFUSE_WHEN_FULL", 0) != 0);
  opts.with_ack(env_number("TEST_ACK", 0) != 0);

  std::mutex out_mutex;
  // Prints the line, then sleeps and fails as asked.
  auto handle = [&, delay](const micro::context& ctx, const std::string& topic, const std::string& seq) {
    {
      std::ostringstream line;
      line << "got " << topic << " " << seq;
      for (auto& [k, v] : ctx.metadata())
        line << " " << k << "=" << v;
      std::lock_guard<std::mutex> guard{out_mutex};
      std::cout << line.str() << std::endl;
    }
    auto sleep = delay;
    if (auto ms = ctx.get("sleep_ms"))
      sleep = std::chrono::milliseconds{std::stol(*ms)};
    if (sleep.count() > 0)
      std::this_thread::sleep_for(sleep);
    if (auto code = ctx.get("fail"))
      throw micro::make_error("pubsub.test", std::stoi(*code), "failing on demand (seq " + seq + ")");
  };

  for (auto& topic : topics) {
    if (raw) {
      svc.server().subscribe_raw(
          topic, "bytes",
          [topic, handle](const micro::context& ctx, const micro::raw_message&) -> micro::status {
            try {
              handle(ctx, topic, ctx.get("seq").value_or("-"));
            } catch (const micro::error& e) {
              return e;
            }
            return {};
          },
          opts);
    } else {
      svc.server().subscribe(
          topic,
          [topic, handle](const micro::context& ctx, const pubsubtest::Tick& t) {
            handle(ctx, topic, std::to_string(t.seq()));
          },
          opts);
    }
  }

  if (auto st = svc.start(); !st) {
    std::cerr << st.error().to_json() << std::endl;
    return 1;
  }
  {
    std::lock_guard<std::mutex> guard{out_mutex};
    // Where its transport listens (the tests check that a node serves over what they asked, and
    // speak to that port directly in the hostile cases).
    auto meta = svc.node_metadata();
    auto transport = meta.count("transport") ? meta["transport"] : std::string{"caf"};
    auto transport_address = meta.count("transport_address") ? meta["transport_address"] : std::string{"-"};
    std::cout << "ready " << svc.address() << " " << svc.node_id() << " " << transport << " " << transport_address
              << std::endl;
  }
  return svc.run();  // start() again is a no-op; waits for SIGINT/SIGTERM, then drains
}
