// Failover: a node SIGKILLed while four threads call an idempotent endpoint. Over mDNS the
// registry says the endpoint is idempotent, so a call lost with its node is retried; over the
// static registry only when the caller says so (call_options::with_idempotent) or the entry does
// (";idempotent=Test.Whoami").
#include <signal.h>

#include <cstdio>

#include <catch2/catch.hpp>

#include "resilience_helpers.hpp"

using namespace micro::test;

namespace {

constexpr int threads = 4;

struct failover_outcome {
  std::vector<call_record> calls;
  steady_clock::time_point kill_sent, dead;  // SIGKILL sent; the process reaped
  long long victim_in_flight = -1;            // its Debug.Stats in_flight just before the kill
  int failed = 0;
  int failed_after_kill = 0;           // of the calls that started once the victim was dead
  int answered_by_victim_after = 0;    // ditto, answered by the victim (impossible)
  int in_progress_at_kill = 0;
  double max_latency_ms = 0;           // of the calls in progress at the kill or started after it
  double max_latency_before_ms = 0;    // of the calls that ended before the kill
  std::string first_error;
};

// Streams Test.Whoami from `threads` threads; after `before` calls, once the victim (node 0) has
// a call in its handler, SIGKILLs it; then lets `after` more calls start and end.
failover_outcome kill_mid_stream(micro::client& client, cluster& c, const micro::call_options& opts, long before,
                                 long after) {
  failover_outcome out;
  auto& victim = c.nodes[0];
  call_stream stream{client, c.name, threads, opts};
  REQUIRE(stream.await_done(before));
  // The victim is caught with a call in its handler (Debug.Stats runs outside the handler
  // slots): a kill that loses nothing in flight would test nothing.
  auto until = steady_clock::now() + 10s;
  while (steady_clock::now() < until) {
    out.victim_in_flight = node_stat(client, victim, "in_flight");
    if (out.victim_in_flight >= 1)
      break;
  }
  REQUIRE(out.victim_in_flight >= 1);
  out.kill_sent = steady_clock::now();
  auto how = victim.proc->kill();
  out.dead = steady_clock::now();
  CHECK(how.signal == SIGKILL);
  stream.set_mark(out.dead);
  REQUIRE(stream.await_done_since_mark(after));
  stream.stop();
  out.calls = stream.records();
  for (auto& r : out.calls) {
    if (!r.ok) {
      ++out.failed;
      if (out.first_error.empty())
        out.first_error = r.error;
    }
    if (r.start >= out.dead) {
      if (!r.ok)
        ++out.failed_after_kill;
      if (r.ok && r.address == victim.address)
        ++out.answered_by_victim_after;
    }
    if (r.start <= out.kill_sent && r.end >= out.kill_sent)
      ++out.in_progress_at_kill;
    if (r.end >= out.kill_sent)
      out.max_latency_ms = std::max(out.max_latency_ms, r.ms());
    if (r.end < out.kill_sent)
      out.max_latency_before_ms = std::max(out.max_latency_before_ms, r.ms());
  }
  return out;
}

void print(const char* what, const failover_outcome& o) {
  std::printf("resilience: failover %s calls=%zu failed=%d max_latency_ms=%.1f (steady state before the kill: %.1f)"
              " in_progress_at_kill=%d victim_in_flight=%lld kill_to_reaped_ms=%.1f\n",
              what, o.calls.size(), o.failed, o.max_latency_ms, o.max_latency_before_ms, o.in_progress_at_kill,
              o.victim_in_flight, std::chrono::duration<double, std::milli>(o.dead - o.kill_sent).count());
  std::fflush(stdout);
}

}  // namespace

TEST_CASE("failover: SIGKILL of one of 3 nodes mid-stream costs no call with the default retry",
          "[resilience][failover][mdns]") {
  // Every node takes 5 ms per call, so that calls are in the victim's handler when it dies.
  auto c = start_mdns_cluster(unique_service("fo"), 3, [](int, server_config& cfg) { cfg.env["TEST_DELAY_MS"] = "5"; });
  auto client = mdns_cluster_client(c);
  auto survivors = c.addresses();
  survivors.erase(c.nodes[0].address);

  // 1000 calls after the kill: about 1.3 s, past the victim's circuit back-off (a probe of the
  // dead node, if the registry still lists it, must cost no call either).
  auto o = kill_mid_stream(*client, c, micro::call_options{}, 200, 1000);
  print("retries=1", o);
  INFO("first error: " << o.first_error);
  CHECK(o.in_progress_at_kill >= 1);
  CHECK(o.failed == 0);
  CHECK(o.failed_after_kill == 0);
  CHECK(o.answered_by_victim_after == 0);
  // After the kill the survivors answer everything, both of them.
  std::map<std::string, int> after;
  for (auto& r : o.calls)
    if (r.start >= o.dead && r.ok)
      ++after[r.address];
  for (auto& s : survivors) {
    INFO("survivor " << s);
    CHECK(after[s] > 0);
  }
  // The retry happens within the deadline, and quickly: not the 5 s request timeout.
  CHECK(o.max_latency_ms < 2000);
}

TEST_CASE("failover contrast: with retries 0 the calls in flight on the killed node fail with 503",
          "[resilience][failover][mdns]") {
  // The victim is slow (300 ms per call) so that a call is certainly in its handler at the kill.
  auto c = start_mdns_cluster(unique_service("fo0"), 3, [](int i, server_config& cfg) {
    cfg.env["TEST_DELAY_MS"] = i == 0 ? "300" : "5";
  });
  auto client = mdns_cluster_client(c);

  auto o = kill_mid_stream(*client, c, micro::call_options{}.with_retries(0), 40, 200);
  print("retries=0", o);
  INFO("first error: " << o.first_error);
  CHECK(o.failed >= 1);
  for (auto& r : o.calls)
    if (!r.ok) {
      INFO(r.error);
      CHECK(r.code == 503);
      CHECK(r.end >= o.kill_sent);  // nothing failed before the kill
    }
}

namespace {

enum class idempotent_by { nobody, call_option, static_entry };

// Three static-registry nodes, the victim slow (300 ms per call) so that calls are certainly in
// its handler when it is SIGKILLed; returns what the kill cost.
failover_outcome static_failover(idempotent_by who) {
  auto c = start_cluster(unique_service("fos"), 3, [](int i, server_config& cfg) {
    cfg.env["TEST_DELAY_MS"] = i == 0 ? "300" : "5";
  });
  std::string entries;
  for (auto& n : c.nodes)
    entries += (entries.empty() ? "" : ",") + n.entry() + (who == idempotent_by::static_entry ? ";idempotent=Test.Whoami" : "");
  auto client = make_client(entries, c.all());
  client->reset_marks(c.name);
  auto opts = micro::call_options{};
  if (who == idempotent_by::call_option)
    opts.with_idempotent();
  return kill_mid_stream(*client, c, opts, 40, 200);
}

}  // namespace

TEST_CASE("failover over the static registry: calls in flight on a killed node are lost unless idempotent",
          "[resilience][failover][static]") {
  SECTION("nobody says the endpoint is idempotent: the calls in flight fail with 503") {
    auto o = static_failover(idempotent_by::nobody);
    print("static registry, not idempotent", o);
    INFO("first error: " << o.first_error);
    CHECK(o.failed >= 1);
    for (auto& r : o.calls)
      if (!r.ok) {
        INFO(r.error);
        CHECK(r.code == 503);
        CHECK(r.end >= o.kill_sent);
      }
  }
  SECTION("the call says so: none is lost") {
    auto o = static_failover(idempotent_by::call_option);
    print("static registry, call_options::with_idempotent()", o);
    INFO("first error: " << o.first_error);
    CHECK(o.in_progress_at_kill >= 1);
    CHECK(o.failed == 0);
    CHECK(o.answered_by_victim_after == 0);
  }
  SECTION("the static entry says so: none is lost") {
    auto o = static_failover(idempotent_by::static_entry);
    print("static registry, entry ;idempotent=Test.Whoami", o);
    INFO("first error: " << o.first_error);
    CHECK(o.in_progress_at_kill >= 1);
    CHECK(o.failed == 0);
    CHECK(o.answered_by_victim_after == 0);
  }
}
