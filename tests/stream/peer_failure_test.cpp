// A peer that dies or freezes mid-stream ends the stream on the other side with 503 within the
// connection-loss detection time (at once for a closed connection; the heartbeat's connection
// timeout, 1 s in these tests, for a frozen process), never a hang.
#include <csignal>

#include <catch2/catch.hpp>

#include "stream_helpers.hpp"

using namespace micro::test;

TEST_CASE("a client process killed mid-stream ends the server's handler with 503", "[stream]") {
  auto server = start_stream_server();
  std::map<std::string, std::string> env = heartbeat_env();
  process client{sibling_binary("micro-stream-test-client"), {server.entry(), "Stream.Echo", "3"}, env};
  REQUIRE(client.wait_for_line(stream::out, "streaming", 20s));
  client.kill();
  auto ev = wait_stream_end(server, "Stream.Echo", 10s);
  REQUIRE(ev.is_object());
  CHECK(ev["code"] == 503);
  CHECK(ev["received"] == 3);
  auto c = make_client(server);
  CHECK(eventually([&] { return server_stats(*c, "streams").value("stream_actors", -1) == 0; }));
}

TEST_CASE("a frozen server ends the client's stream with 503 after the connection timeout", "[stream]") {
  auto server = start_stream_server();
  auto client = make_client(server);
  auto s = client->stream_raw({}, "streams", "Stream.Echo");
  REQUIRE(s.ok());
  std::string body;
  REQUIRE(s->send("ping").ok());
  REQUIRE(s->recv(body));
  REQUIRE(server.proc->freeze());
  auto t0 = steady_clock::now();
  CHECK_FALSE(s->recv(body));
  auto elapsed = ms_since(t0);
  server.proc->signal(SIGCONT);
  auto st = s->final_status();
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().code == 503);
  CHECK(elapsed >= 500);
  CHECK(elapsed < 5000);
}
