// Flow control: a fast writer and a slow reader keep both processes' memory bounded, in each
// direction. 1,500 messages of 64 KiB would be ~96 MiB if either side buffered them; with a
// window of 64 at most ~4 MiB per side are in flight. (Not under ASan: its quarantine keeps freed
// memory, so RSS says nothing about buffering there.)
#include <atomic>

#include <catch2/catch.hpp>

#include "stream_helpers.hpp"

using namespace micro::test;

#if !defined(__SANITIZE_ADDRESS__)

namespace {

constexpr uint64_t messages = 1500;
constexpr std::size_t message_size = 64 * 1024;
constexpr long long rss_bound = 40LL << 20;  // well under the 96 MiB that buffering would take

// Samples the server's RSS (Debug.Stats) until stopped; keeps the highest.
struct rss_watch {
  micro::client& client;
  std::atomic<bool> stop{false};
  std::atomic<long long> server_peak{0};
  std::atomic<long long> own_peak{0};
  joining_thread sampler{[this] {
    while (!stop) {
      auto stats = server_stats(client, "streams");
      if (stats.is_object())
        server_peak = std::max<long long>(server_peak, stats.value("memory", 0LL));
      own_peak = std::max(own_peak.load(), own_rss());
      std::this_thread::sleep_for(20ms);  // a sampling period, not synchronisation
    }
  }};
  explicit rss_watch(micro::client& c) : client(c) {}
  ~rss_watch() { stop = true; }
};

}  // namespace

TEST_CASE("a fast client writer and a slow server reader keep both processes' memory bounded", "[stream][flow]") {
  auto server = start_stream_server();
  auto client = make_client(server);
  auto base_server = server_stats(*client, "streams").value("memory", 0LL);
  auto base_own = own_rss();
  REQUIRE(base_server > 0);
  rss_watch watch{*client};
  auto s = client->stream_raw({}, "streams", "Stream.Slow", micro::stream_options{}.with_metadata("sleep_ms", "1"));
  REQUIRE(s.ok());
  for (uint64_t i = 0; i < messages; ++i)
    REQUIRE(s->send(numbered(i, message_size)).ok());
  REQUIRE(s->close_send().ok());
  std::string body;
  REQUIRE(s->recv(body));
  auto summary = json::parse(body);
  CHECK(summary["received"] == messages);
  CHECK(summary["in_order"] == true);
  CHECK(s->finish().ok());
  watch.stop = true;
  watch.sampler.join();
  INFO("server RSS " << base_server << " -> peak " << watch.server_peak << "; client " << base_own << " -> peak "
                     << watch.own_peak);
  CHECK(watch.server_peak - base_server < rss_bound);
  CHECK(watch.own_peak - base_own < rss_bound);
}

TEST_CASE("a fast server writer and a slow client reader keep both processes' memory bounded", "[stream][flow]") {
  auto server = start_stream_server();
  auto client = make_client(server);
  auto base_server = server_stats(*client, "streams").value("memory", 0LL);
  auto base_own = own_rss();
  REQUIRE(base_server > 0);
  rss_watch watch{*client};
  auto s = client->stream_raw({}, "streams", "Stream.Count",
                              micro::stream_options{}.with_content_type("application/json").with_metadata("raw", "1"));
  REQUIRE(s.ok());
  REQUIRE(s->send(json{{"count", messages}, {"size", message_size}}.dump()).ok());
  std::string body;
  uint64_t expected = 0;
  bool in_order = true;
  while (s->recv(body)) {
    in_order = in_order && sequence_of(body) == expected;
    ++expected;
    std::this_thread::sleep_for(1ms);  // the slow reader under test
  }
  CHECK(expected == messages);
  CHECK(in_order);
  CHECK(s->final_status().ok());
  watch.stop = true;
  watch.sampler.join();
  INFO("server RSS " << base_server << " -> peak " << watch.server_peak << "; client " << base_own << " -> peak "
                     << watch.own_peak);
  CHECK(watch.server_peak - base_server < rss_bound);
  CHECK(watch.own_peak - base_own < rss_bound);
}

#endif
