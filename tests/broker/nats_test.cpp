// The NATS backend against a real nats-server on a loopback port (one per test process, started
// on first use; the tests that kill a server start their own).
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "broker/broker.hpp"
#include "broker/factory.hpp"
#include "broker/nats.hpp"
#include "nats_server.hpp"
#include "test_certs.hpp"

using namespace std::chrono_literals;
using micro::broker::errc;
using micro::broker::message;
using micro::broker::nats_backend;
using micro::broker::nats_options;

namespace {

micro::test::nats_server& shared_server() {
  static micro::test::nats_server server;
  return server;
}

std::shared_ptr<nats_backend> connect(const std::string& url, nats_options opts = {}) {
  opts.url = url;
  auto r = nats_backend::connect(opts);
  INFO(r.st.message);
  REQUIRE(r.ok());
  return r.value;
}

std::shared_ptr<nats_backend> connect_shared() { return connect(shared_server().url()); }

// Messages a subscriber got, awaited with a condition variable.
struct inbox {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<message> got;

  micro::broker::deliver_fn fn() {
    return [this](message&& m) {
      std::lock_guard<std::mutex> lock(mu);
      got.push_back(std::move(m));
      cv.notify_all();
    };
  }
  bool wait_for(std::size_t n, std::chrono::milliseconds timeout = 10s) {
    std::unique_lock<std::mutex> lock(mu);
    return cv.wait_for(lock, timeout, [&] { return got.size() >= n; });
  }
  bool wait_for_body(const std::string& body, std::chrono::milliseconds timeout = 10s) {
    std::unique_lock<std::mutex> lock(mu);
    return cv.wait_for(lock, timeout, [&] {
      return std::any_of(got.begin(), got.end(), [&](const message& m) { return m.body == body; });
    });
  }
  std::size_t size() {
    std::lock_guard<std::mutex> lock(mu);
    return got.size();
  }
  std::vector<message> snapshot() {
    std::lock_guard<std::mutex> lock(mu);
    return got;
  }
};

message make(const std::string& topic, std::string body) {
  message m;
  m.topic = topic;
  m.body = std::move(body);
  return m;
}

std::unique_ptr<micro::broker::subscription> subscribe(micro::broker::backend& b, const std::string& topic,
                                                       micro::broker::deliver_fn fn, const std::string& queue = {}) {
  micro::broker::subscribe_options opts;
  opts.queue = queue;
  auto r = b.subscribe(topic, opts, std::move(fn));
  INFO(r.st.message);
  REQUIRE(r.ok());
  return std::move(r.value);
}

}  // namespace

TEST_CASE("nats round trip keeps topic and content type and metadata and body", "[nats]") {
  auto b = connect_shared();
  inbox in;
  auto sub = subscribe(*b, "orders.created", in.fn());
  message m = make("orders.created", std::string("{\"id\":1}\0binary\xff", 16));
  m.content_type = "application/json";
  m.meta = {{"trace-id", "abc123"}, {"User", "Ada Lovelace"}};
  auto st = b->publish(m);
  INFO(st.message);
  REQUIRE(st.ok());
  REQUIRE(in.wait_for(1));
  auto got = in.snapshot().at(0);
  CHECK(got.topic == "orders.created");
  CHECK(got.content_type == "application/json");
  CHECK(got.meta == m.meta);
  CHECK(got.body == m.body);
}

TEST_CASE("nats metadata keys and values come back byte for byte", "[nats]") {
  auto b = connect_shared();
  inbox in;
  auto sub = subscribe(*b, "meta.edge", in.fn());
  message m = make("meta.edge", "");
  m.content_type = " text/plain; charset=utf-8 ";
  m.meta = {
      {"empty", ""},
      {"spaces", "  padded  "},
      {"crlf", "line1\r\nline2"},
      {"percent", "100% %41 %"},
      {"key: with colon", "v"},
      {"", "empty key"},
      {"Micro-Meta-nested", "x"},
      {"Content-Type", "not the content type"},
      {"unicode \xc3\xa9", "\xc3\xa9t\xc3\xa9"},
      {"nul", std::string("a\0b", 3)},
      {"Case", "upper"},
      {"case", "lower"},
  };
  REQUIRE(b->publish(m).ok());
  REQUIRE(in.wait_for(1));
  auto got = in.snapshot().at(0);
  CHECK(got.content_type == m.content_type);
  CHECK(got.meta == m.meta);
  CHECK(got.body.empty());
}

TEST_CASE("nats two plain subscribers each get every message", "[nats]") {
  auto pub = connect_shared();
  auto other = connect_shared();
  inbox a, b;
  auto sa = subscribe(*pub, "fanout", a.fn());  // one on the publisher's connection
  auto sb = subscribe(*other, "fanout", b.fn());  // one on another
  for (int i = 0; i < 100; ++i) REQUIRE(pub->publish(make("fanout", std::to_string(i))).ok());
  REQUIRE(a.wait_for(100));
  REQUIRE(b.wait_for(100));
  for (auto* in : {&a, &b}) {
    auto got = in->snapshot();
    REQUIRE(got.size() == 100);
    for (int i = 0; i < 100; ++i) CHECK(got[i].body == std::to_string(i));
  }
}

TEST_CASE("nats queue group of three gets each of 300 messages exactly once", "[nats]") {
  auto pub = connect_shared();
  std::vector<std::shared_ptr<nats_backend>> members;
  std::mutex mu;
  std::condition_variable cv;
  std::map<std::string, int> seen;  // body -> times delivered
  std::vector<int> per_member(3, 0);
  int total = 0;
  std::vector<std::unique_ptr<micro::broker::subscription>> subs;
  std::vector<std::unique_ptr<inbox>> fences;
  for (int i = 0; i < 3; ++i) {
    members.push_back(connect_shared());  // a connection each, as three service nodes would have
    subs.push_back(subscribe(
        *members.back(), "work",
        [&, i](message&& m) {
          std::lock_guard<std::mutex> lock(mu);
          ++seen[m.body];
          ++per_member[i];
          ++total;
          cv.notify_all();
        },
        "workers"));
    fences.push_back(std::make_unique<inbox>());
    subs.push_back(subscribe(*members.back(), "work.fence", fences.back()->fn()));
  }
  inbox plain;  // a plain subscriber beside the group still gets everything
  auto plain_sub = subscribe(*pub, "work", plain.fn());
  for (int i = 0; i < 300; ++i) REQUIRE(pub->publish(make("work", std::to_string(i))).ok());
  REQUIRE(plain.wait_for(300));
  {
    std::unique_lock<std::mutex> lock(mu);
    REQUIRE(cv.wait_for(lock, 10s, [&] { return total >= 300; }));
  }
  // The server writes to each connection in order: once every member has the fence, a
  // duplicate of any "work" message would have arrived before it.
  REQUIRE(pub->publish(make("work.fence", "")).ok());
  for (auto& f : fences) REQUIRE(f->wait_for(1));
  std::lock_guard<std::mutex> lock(mu);
  CHECK(total == 300);
  CHECK(seen.size() == 300);
  for (auto& [body, n] : seen) {
    INFO(body);
    CHECK(n == 1);
  }
  std::printf("queue group of 3: %d + %d + %d = %d\n", per_member[0], per_member[1], per_member[2], total);
  for (int n : per_member) CHECK(n > 0);
}

TEST_CASE("nats keeps the order of 10000 messages from one publisher", "[nats]") {
  auto pub = connect_shared();
  auto other = connect_shared();
  inbox in;
  auto sub = subscribe(*other, "ordered", in.fn());
  std::vector<message> batch;
  const int n = 10000;
  // Half one by one, half in batches of 500.
  for (int i = 0; i < n / 2; ++i) REQUIRE(pub->publish(make("ordered", std::to_string(i))).ok());
  for (int i = n / 2; i < n; ++i) {
    batch.push_back(make("ordered", std::to_string(i)));
    if (batch.size() == 500) {
      REQUIRE(pub->publish_batch(batch).ok());
      batch.clear();
    }
  }
  REQUIRE(in.wait_for(n, 30s));
  auto got = in.snapshot();
  REQUIRE(got.size() == static_cast<std::size_t>(n));
  int out_of_order = 0;
  for (int i = 0; i < n; ++i) out_of_order += got[i].body != std::to_string(i);
  CHECK(out_of_order == 0);
}

TEST_CASE("nats publish_batch delivers the whole batch in order", "[nats]") {
  auto b = connect_shared();
  inbox in;
  auto sub = subscribe(*b, "batch.>", in.fn());
  std::vector<message> batch;
  for (int i = 0; i < 50; ++i) {
    auto m = make(i % 2 ? "batch.odd" : "batch.even", std::to_string(i));
    m.content_type = "text/plain";
    m.meta["i"] = std::to_string(i);
    batch.push_back(m);
  }
  REQUIRE(b->publish_batch(batch).ok());
  REQUIRE(in.wait_for(50));
  auto got = in.snapshot();
  for (int i = 0; i < 50; ++i) {
    CHECK(got[i].topic == (i % 2 ? "batch.odd" : "batch.even"));
    CHECK(got[i].body == std::to_string(i));
    CHECK(got[i].meta.at("i") == std::to_string(i));
    CHECK(got[i].content_type == "text/plain");
  }
  CHECK(b->publish_batch({}).ok());
}

TEST_CASE("nats publish and publish_batch throughput", "[nats][measure]") {
  // A quick figure printed for the report, not asserted (timing claims belong to bench/).
  auto pub = connect_shared();
  auto other = connect_shared();
  inbox in;
  auto sub = subscribe(*other, "rate", in.fn());
  const int n = 20000;
  std::string body(100, 'x');
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < n; ++i) REQUIRE(pub->publish(make("rate", body)).ok());
  auto t1 = std::chrono::steady_clock::now();
  REQUIRE(in.wait_for(n, 60s));
  std::vector<message> batch(1000, make("rate", body));
  auto t2 = std::chrono::steady_clock::now();
  for (int i = 0; i < n / 1000; ++i) REQUIRE(pub->publish_batch(batch).ok());
  auto t3 = std::chrono::steady_clock::now();
  REQUIRE(in.wait_for(2 * n, 60s));
  auto t4 = std::chrono::steady_clock::now();
  auto rate = [](int count, auto d) { return count / std::chrono::duration<double>(d).count(); };
  std::printf("nats, 100-byte messages: publish %.0f msg/s (one round trip each); publish_batch of 1000 "
              "%.0f msg/s (accepted), %.0f msg/s to the subscriber\n",
              rate(n, t1 - t0), rate(n, t3 - t2), rate(n, t4 - t2));
}

TEST_CASE("nats unsubscribe stops delivery and waits for a running callback", "[nats]") {
  auto pub = connect_shared();
  auto b = connect_shared();
  std::mutex mu;
  std::condition_variable cv;
  int delivered = 0;
  std::atomic<bool> running{false};
  std::atomic<bool> returned{false};
  std::atomic<int> after_return{0};
  auto sub = subscribe(*b, "unsub", [&](message&&) {
    if (returned) ++after_return;
    running = true;
    {
      std::lock_guard<std::mutex> lock(mu);
      ++delivered;
      cv.notify_all();
    }
    // A slow handler, so that unsubscribe() comes while one runs.
    std::this_thread::sleep_for(2ms);
    running = false;
  });
  inbox fence;
  auto fence_sub = subscribe(*b, "unsub", fence.fn());  // same connection: sees what `sub` would

  std::atomic<bool> stop{false};
  std::thread publisher([&] {
    for (int i = 0; i < 100000 && !stop; ++i) {
      if (!pub->publish(make("unsub", std::to_string(i))).ok()) break;
    }
  });
  {
    std::unique_lock<std::mutex> lock(mu);
    REQUIRE(cv.wait_for(lock, 10s, [&] { return delivered >= 20; }));
  }
  sub->unsubscribe();
  returned = true;
  CHECK_FALSE(running);  // the callback that ran has finished
  stop = true;
  publisher.join();
  int at_return = 0;
  {
    std::lock_guard<std::mutex> lock(mu);
    at_return = delivered;
  }
  // A last message after everything: once the fence subscriber has it, `sub` would have had
  // everything before it too.
  REQUIRE(pub->publish(make("unsub", "last")).ok());
  REQUIRE(fence.wait_for_body("last"));
  std::lock_guard<std::mutex> lock(mu);
  CHECK(delivered == at_return);
  CHECK(after_return == 0);
  sub->unsubscribe();  // idempotent
}

TEST_CASE("nats unsubscribe from inside the callback", "[nats]") {
  auto b = connect_shared();
  std::mutex mu;
  std::condition_variable cv;
  int delivered = 0;
  std::unique_ptr<micro::broker::subscription> sub;
  micro::broker::subscription* raw = nullptr;
  sub = subscribe(*b, "self.unsub", [&](message&&) {
    std::lock_guard<std::mutex> lock(mu);
    ++delivered;
    raw->unsubscribe();  // must neither deadlock nor let another message in
    cv.notify_all();
  });
  raw = sub.get();
  inbox fence;
  auto fence_sub = subscribe(*b, "self.unsub", fence.fn());
  std::vector<message> batch(20, make("self.unsub", "x"));
  batch.push_back(make("self.unsub", "last"));
  REQUIRE(b->publish_batch(batch).ok());
  REQUIRE(fence.wait_for(21));
  {
    std::unique_lock<std::mutex> lock(mu);
    REQUIRE(cv.wait_for(lock, 10s, [&] { return delivered >= 1; }));
  }
  sub->unsubscribe();  // from this thread too: returns, the callback is done
  sub.reset();
  std::lock_guard<std::mutex> lock(mu);
  CHECK(delivered == 1);
}

TEST_CASE("nats subscriptions stop when their backend goes", "[nats]") {
  auto b = connect_shared();
  inbox in;
  auto sub = subscribe(*b, "gone", in.fn());
  REQUIRE(b->publish(make("gone", "1")).ok());
  REQUIRE(in.wait_for(1));
  b.reset();      // closes the connection
  sub->unsubscribe();  // returns at once
  sub.reset();
  CHECK(in.size() == 1);
}

TEST_CASE("nats connect failure names the address and how to start a server", "[nats]") {
  int port = micro::test::unused_loopback_port();
  std::string url = "nats://127.0.0.1:" + std::to_string(port);
  auto t0 = std::chrono::steady_clock::now();
  auto r = micro::broker::make_backend("nats", url);
  CHECK(std::chrono::steady_clock::now() - t0 < 5s);
  REQUIRE_FALSE(r.ok());
  CHECK(r.st.code == errc::unavailable);
  CHECK(r.value == nullptr);
  INFO(r.st.message);
  CHECK(r.st.message.find("broker nats") != std::string::npos);
  CHECK(r.st.message.find(url) != std::string::npos);
  CHECK(r.st.message.find("nats-server -a 127.0.0.1 -p " + std::to_string(port)) != std::string::npos);
  CHECK(r.st.message.find("MICRO_BROKER=") != std::string::npos);

  // Without a scheme, and the default address.
  auto bare = micro::broker::make_backend("nats", "127.0.0.1:" + std::to_string(port));
  CHECK(bare.st.code == errc::unavailable);
  CHECK(bare.st.message.find(url) != std::string::npos);

  auto malformed = micro::broker::make_backend("nats", "127.0.0.1:42x");
  CHECK(malformed.st.code == errc::invalid_argument);
  CHECK(malformed.st.message.find("bad server address") != std::string::npos);
}

TEST_CASE("nats make_backend knows nats and lists it for an unknown name", "[nats]") {
  auto r = micro::broker::make_backend("kafka", "");
  REQUIRE_FALSE(r.ok());
  CHECK(r.st.code == errc::invalid_argument);
  CHECK(r.st.message.find("kafka") != std::string::npos);
  CHECK(r.st.message.find("known: actor, nats") != std::string::npos);

  auto ok = micro::broker::make_backend("nats", shared_server().url());
  INFO(ok.st.message);
  REQUIRE(ok.ok());
  CHECK(ok.value->name() == "nats");
}

TEST_CASE("nats invalid subjects are refused with invalid_argument", "[nats]") {
  auto b = connect_shared();
  for (std::string topic : {std::string(""), std::string("a b"), std::string("a\tb"), std::string("a\nb"),
                            std::string("a..b"), std::string(".a"), std::string("a."), std::string("*"),
                            std::string("a.>"), std::string("a.*.b"), std::string("bell\x07"),
                            std::string(2000, 'x')}) {
    INFO("topic \"" << topic << "\"");
    auto st = b->publish(make(topic, "x"));
    CHECK(st.code == errc::invalid_argument);
    CHECK(st.message.rfind("broker nats: ", 0) == 0);
  }
  // Wildcards are fine to subscribe to, as whole tokens; '>' only last.
  inbox in;
  for (std::string topic : {std::string("a.*.c"), std::string("a.>"), std::string("*")}) {
    INFO(topic);
    auto r = b->subscribe(topic, {}, in.fn());
    CHECK(r.ok());
  }
  CHECK(b->subscribe("a.>.c", {}, in.fn()).st.code == errc::invalid_argument);
  CHECK(b->subscribe("a b", {}, in.fn()).st.code == errc::invalid_argument);
  CHECK(b->subscribe("a", {"bad queue"}, in.fn()).st.code == errc::invalid_argument);
  CHECK(b->subscribe("a", {}, nullptr).st.code == errc::invalid_argument);
  // Literal '*' inside a token is no wildcard.
  CHECK(b->publish(make("a*b.c>d", "x")).ok());

  // A batch with one bad topic sends nothing.
  inbox batch_in;
  auto sub = subscribe(*b, "batch.check", batch_in.fn());
  auto st = b->publish_batch({make("batch.check", "1"), make("batch check", "2")});
  CHECK(st.code == errc::invalid_argument);
  CHECK(st.message.find("nothing was sent") != std::string::npos);
  REQUIRE(b->publish(make("batch.check", "after")).ok());
  REQUIRE(batch_in.wait_for(1));
  CHECK(batch_in.snapshot().front().body == "after");
}

TEST_CASE("nats oversized message is refused and the connection stays usable", "[nats]") {
  auto b = connect_shared();
  auto st = b->publish(make("big", std::string(2 * 1024 * 1024, 'x')));  // the server's default limit is 1 MiB
  INFO(st.message);
  CHECK(st.code == errc::invalid_argument);
  CHECK(st.message.find("larger than") != std::string::npos);
  inbox in;
  auto sub = subscribe(*b, "big", in.fn());
  REQUIRE(b->publish(make("big", std::string(512 * 1024, 'y'))).ok());
  REQUIRE(in.wait_for(1));
  CHECK(in.snapshot()[0].body.size() == 512 * 1024);
}

TEST_CASE("nats a throwing subscriber does not stop delivery", "[nats]") {
  auto b = connect_shared();
  std::mutex mu;
  std::condition_variable cv;
  int calls = 0;
  auto sub = subscribe(*b, "throws", [&](message&&) {
    {
      std::lock_guard<std::mutex> lock(mu);
      ++calls;
      cv.notify_all();
    }
    throw std::runtime_error("handler bug");
  });
  REQUIRE(b->publish_batch({make("throws", "1"), make("throws", "2")}).ok());
  std::unique_lock<std::mutex> lock(mu);
  CHECK(cv.wait_for(lock, 10s, [&] { return calls == 2; }));
}

TEST_CASE("nats publish fails within a bound when the server is killed and works again after", "[nats][kill]") {
  micro::test::nats_server server;
  nats_options opts;
  opts.flush_timeout = 2s;
  opts.reconnect_wait = 100ms;
  auto pub = connect(server.url(), opts);
  auto subscriber = connect(server.url(), opts);
  inbox in;
  auto sub = subscribe(*subscriber, "survive", in.fn());
  REQUIRE(pub->publish(make("survive", "before")).ok());
  REQUIRE(in.wait_for(1));

  int port = server.port();
  server.kill();
  // The first publish after the kill may still be written before the client sees the socket
  // close; its confirmation cannot come, so it fails too: no publish succeeds, none hangs.
  for (int i = 0; i < 3; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    auto st = pub->publish(make("survive", "lost"));
    auto took = std::chrono::steady_clock::now() - t0;
    INFO(i << ": " << st.message);
    CHECK_FALSE(st.ok());
    CHECK((st.code == errc::unavailable || st.code == errc::timeout));
    CHECK(took < opts.flush_timeout + 1s);
  }
  auto st = pub->publish_batch({make("survive", "lost"), make("survive", "lost")});
  CHECK(st.code == errc::unavailable);
  CHECK(pub->subscribe("survive", {}, in.fn()).st.code == errc::unavailable);

  // A new server on the same port: both connections come back (reconnect every 100 ms) and the
  // subscription is made again by libnats. Polled, bounded: the backend has no reconnect event.
  micro::test::nats_server again(port);
  auto deadline = std::chrono::steady_clock::now() + 15s;
  bool delivered = false;
  while (!delivered && std::chrono::steady_clock::now() < deadline) {
    if (pub->publish(make("survive", "after")).ok()) delivered = in.wait_for(2, 200ms);
    else std::this_thread::sleep_for(50ms);
  }
  REQUIRE(delivered);
  auto got = in.snapshot();
  CHECK(got.back().body == "after");
  // A publish reported as failed "may or may not" have reached a server: one that went into
  // libnats' reconnect buffer in the instant before the loss was noticed goes out after the
  // reconnect. Counted for the log, not asserted.
  auto resent = std::count_if(got.begin(), got.end(), [](const message& m) { return m.body == "lost"; });
  std::printf("kill test: %d failed publishes were delivered after the reconnect\n", static_cast<int>(resent));
}

// TLS to nats-server (--tls, and --tlsverify for mutual TLS), certificates made per test with the
// openssl CLI: the connection works with the CA (and, for --tlsverify, a client certificate),
// and each mismatch is a coded error at connect, naming what to fix.
TEST_CASE("nats over TLS: verified server, mutual TLS, and the mismatches refused at connect", "[nats][tls]") {
  transport_test::test_certs pki;
  const std::vector<std::string> tls_args{"--tls", "--tlscert", pki.node_cert(), "--tlskey", pki.node_key()};
  auto connect_with = [](const std::string& url, const micro::broker::tls_files& tls) {
    nats_options opts;
    opts.url = url;
    opts.tls = tls;
    opts.connect_timeout = 2s;
    return nats_backend::connect(opts);
  };
  SECTION("server TLS: with the CA it works, without TLS or with a stranger's CA it does not") {
    micro::test::nats_server server{0, 10s, tls_args};
    auto ok = connect_with(server.url(), {pki.ca(), "", ""});
    INFO(ok.st.message);
    REQUIRE(ok.ok());
    inbox in;
    auto sub = subscribe(*ok.value, "secure", in.fn());
    REQUIRE(ok.value->publish(make("secure", "inside tls")).ok());
    CHECK(in.wait_for_body("inside tls"));

    auto plain = connect_with(server.url(), {});
    INFO(plain.st.message);
    CHECK_FALSE(plain.ok());
    auto stranger = connect_with(server.url(), {pki.stranger_ca(), "", ""});
    INFO(stranger.st.message);
    CHECK_FALSE(stranger.ok());
    CHECK(stranger.st.code == errc::unavailable);
  }
  SECTION("mutual TLS: a client certificate the CA signed is needed") {
    auto args = tls_args;
    args.insert(args.end(), {"--tlsverify", "--tlscacert", pki.ca()});
    micro::test::nats_server server{0, 10s, args};
    auto with_cert = connect_with(server.url(), {pki.ca(), pki.node_cert(), pki.node_key()});
    INFO(with_cert.st.message);
    CHECK(with_cert.ok());
    auto without = connect_with(server.url(), {pki.ca(), "", ""});
    INFO(without.st.message);
    CHECK_FALSE(without.ok());
  }
  SECTION("files that are not there are invalid_argument, naming the file") {
    auto missing = connect_with("nats://127.0.0.1:1", {pki.path("nope-ca.crt"), "", ""});
    CHECK(missing.st.code == errc::invalid_argument);
    CHECK_THAT(missing.st.message, Catch::Contains("nope-ca.crt"));
    auto no_ca = connect_with("nats://127.0.0.1:1", {"", pki.node_cert(), pki.node_key()});
    CHECK(no_ca.st.code == errc::invalid_argument);
  }
}
