// A stream's peer killed mid-stream: both ends see an error, and nothing leaks on the side that
// lives on (open file descriptors and threads, read from /proc, back to what they were).
#include <csignal>

#include <catch2/catch.hpp>

#include "proc_counts.hpp"
#include "stream_helpers.hpp"

using namespace micro::test;

namespace {

// Starts `n` client processes, each with one Stream.Echo stream open (3 messages echoed), then
// SIGKILLs them and waits until the server has ended each handler (one stream-end event each).
void kill_streaming_clients(running_server& server, int n) {
  std::vector<std::unique_ptr<process>> clients;
  for (int i = 0; i < n; ++i) {
    clients.push_back(std::make_unique<process>(sibling_binary("micro-stream-test-client"),
                                                std::vector<std::string>{server.entry(), "Stream.Echo", "3"},
                                                heartbeat_env()));
    REQUIRE(clients.back()->wait_for_line(stream::out, "streaming", 20s));
  }
  for (auto& c : clients)
    c->kill();
  for (int i = 0; i < n; ++i) {
    auto ev = wait_stream_end(server, "Stream.Echo", 10s);
    REQUIRE(ev.is_object());
    CHECK(ev["code"] == 503);  // the server's handler saw the peer go
  }
}

}  // namespace

TEST_CASE("clients killed mid-stream leave the server with the fds and threads it had", "[faults][stream]") {
  auto server = start_stream_server();
  // A first round grows whatever the server keeps for later (worker threads): the baseline is
  // taken after it, once its streams are gone.
  kill_streaming_clients(server, 3);
  auto stats_client = make_client(server);
  REQUIRE(eventually([&] { return server_stats(*stats_client, "streams").value("stream_actors", -1) == 0; }));
  auto baseline = counts_of(server.proc->pid());
  REQUIRE(baseline.fds > 0);

  kill_streaming_clients(server, 3);
  proc_counts now;
  bool back = eventually([&] {
    now = counts_of(server.proc->pid());
    return now == baseline;
  });
  INFO("server before: " << baseline.describe() << ", after: " << now.describe());
  CHECK(back);
}

TEST_CASE("a server killed mid-stream ends the client's stream with 503 and leaks nothing here",
          "[faults][stream]") {
  auto server = start_stream_server();
  {
    // The stream rides the node's transport: the process's transport client (its event loop's
    // fds, made on first use, kept for the process) belongs in the baseline, not in the leak.
    auto client = make_client(server);
    auto warm = client->stream_raw({}, "streams", "Stream.Echo");
    REQUIRE(warm.ok());
    std::string body;
    REQUIRE(warm->send("ping").ok());
    REQUIRE(warm->recv(body));
  }
  auto before = counts_of();
  {
    auto client = make_client(server);
    auto s = client->stream_raw({}, "streams", "Stream.Echo");
    REQUIRE(s.ok());
    std::string body;
    REQUIRE(s->send("ping").ok());
    REQUIRE(s->recv(body));
    server.proc->kill();
    CHECK_FALSE(s->recv(body));
    auto st = s->final_status();
    REQUIRE_FALSE(st.ok());
    CHECK(st.error().code == 503);
  }
  // The connection to the dead server and any thread of the stream are gone (the process object
  // still holds its pipes: at most as many as before).
  proc_counts now;
  bool back = eventually([&] {
    now = counts_of();
    return now.fds <= before.fds && now.threads <= before.threads;
  });
  INFO("this process before: " << before.describe() << ", after: " << now.describe());
  CHECK(back);
}
