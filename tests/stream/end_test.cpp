// How streams end: half-close, cancel from either side, the server's error, the deadline, a
// server killed mid-stream, and bad input. Each ending is seen on both sides.
#include <csignal>

#include <catch2/catch.hpp>

#include "stream_helpers.hpp"

#include <string>
#include <thread>

using namespace micro::test;

TEST_CASE("a client's cancel ends the stream on the server with 499", "[stream]") {
  auto server = start_stream_server();
  auto client = make_client(server);
  auto s = client->stream_raw({}, "streams", "Stream.Wait");
  REQUIRE(s.ok());
  for (int i = 0; i < 5; ++i)
    REQUIRE(s->send("m").ok());
  s->cancel("changed my mind");
  auto ev = wait_stream_end(server, "Stream.Wait");
  REQUIRE(ev.is_object());
  CHECK(ev["code"] == micro::stream_cancelled_code);
  CHECK(ev["received"] <= 5);
  auto st = s->finish();
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().code == micro::stream_cancelled_code);
  auto again = s->send("late");
  REQUIRE_FALSE(again.ok());
  CHECK(again.error().code == micro::stream_cancelled_code);
}

TEST_CASE("a client stream dropped before its end is cancelled on the server", "[stream]") {
  auto server = start_stream_server();
  auto client = make_client(server);
  {
    auto s = client->stream_raw({}, "streams", "Stream.Wait");
    REQUIRE(s.ok());
    REQUIRE(s->send("m").ok());
  }
  auto ev = wait_stream_end(server, "Stream.Wait");
  REQUIRE(ev.is_object());
  CHECK(ev["code"] == micro::stream_cancelled_code);
}

TEST_CASE("a server's cancel ends the stream on the client after the messages sent before it", "[stream]") {
  auto server = start_stream_server();
  auto client = make_client(server);
  auto s = client->stream_raw({}, "streams", "Stream.Quit");
  REQUIRE(s.ok());
  std::vector<std::string> got;
  std::string body;
  while (s->recv(body))
    got.push_back(body);
  // The cancel drops what the client had not read yet; what it read came in order.
  CHECK(got.size() <= 2);
  for (std::size_t i = 0; i < got.size(); ++i)
    CHECK(got[i] == (i == 0 ? "a" : "b"));
  auto st = s->final_status();
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().code == micro::stream_cancelled_code);
  CHECK(st.error().detail == "server gave up");
  CHECK(wait_stream_end(server, "Stream.Quit").is_object());
}

TEST_CASE("a handler's error is the stream's final status after the messages it sent", "[stream]") {
  auto server = start_stream_server();
  auto client = make_client(server);
  auto s = client->stream_raw({}, "streams", "Stream.Fail");
  REQUIRE(s.ok());
  std::vector<std::string> got;
  std::string body;
  while (s->recv(body))
    got.push_back(body);
  CHECK(got == std::vector<std::string>{"m0", "m1", "m2"});
  auto st = s->finish();
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().code == 409);
  CHECK(st.error().id == "test.stream");
  CHECK(st.error().detail == "failing on purpose");
}

TEST_CASE("the deadline ends a stream in the middle on both sides with 408", "[stream]") {
  auto server = start_stream_server();
  auto client = make_client(server);
  auto t0 = steady_clock::now();
  auto s = client->stream_raw({}, "streams", "Stream.Wait", micro::stream_options{}.with_timeout(300ms));
  REQUIRE(s.ok());
  REQUIRE(s->send("m").ok());
  std::string body;
  CHECK_FALSE(s->recv(body));  // blocks until the deadline ends the stream
  auto elapsed = ms_since(t0);
  auto st = s->final_status();
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().code == 408);
  CHECK(elapsed >= 250);
  CHECK(elapsed < 5000);
  auto ev = wait_stream_end(server, "Stream.Wait");
  REQUIRE(ev.is_object());
  CHECK(ev["code"] == 408);
}

TEST_CASE("a stream opened for a handler's context inherits its deadline", "[stream]") {
  auto server = start_stream_server();
  auto client = make_client(server);
  micro::context parent{"caller", "Caller.Run", {{"trace", "t1"}}, steady_clock::now() + 300ms};
  auto s = client->stream_raw(parent, "streams", "Stream.Wait");
  REQUIRE(s.ok());
  CHECK(s->ctx().has_deadline());
  CHECK(s->ctx().get("trace") == std::optional<std::string>{"t1"});
  std::string body;
  CHECK_FALSE(s->recv(body));
  CHECK(s->final_status().error().code == 408);
}

TEST_CASE("a server killed mid-stream ends the client's stream with 503 promptly", "[stream]") {
  auto server = start_stream_server();
  auto client = make_client(server);
  auto s = client->stream_raw({}, "streams", "Stream.Echo");
  REQUIRE(s.ok());
  std::string body;
  REQUIRE(s->send("ping").ok());
  REQUIRE(s->recv(body));
  auto t0 = steady_clock::now();
  server.proc->kill();
  CHECK_FALSE(s->recv(body));
  auto elapsed = ms_since(t0);
  auto st = s->final_status();
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().code == 503);
  CHECK(elapsed < 2000);  // a closed connection is seen at once, not after the heartbeat timeout
  auto late = s->send("anyone?");
  REQUIRE_FALSE(late.ok());
  CHECK(late.error().code == 503);
}

TEST_CASE("a sender waiting for credit is released when the stream ends", "[stream]") {
  auto server = start_stream_server();
  auto client = make_client(server);
  // Stream.Wait never reads faster than it can, but never answers: a window of 4 fills at once
  // if the server reads slowly; a stopped server reads nothing at all.
  auto s = client->stream_raw({}, "streams", "Stream.Wait", micro::stream_options{}.with_timeout(500ms));
  REQUIRE(s.ok());
  REQUIRE(server.proc->freeze());
  micro::status st;
  int sent = 0;
  while ((st = s->send(std::string(1024, 'x'))).ok())
    ++sent;
  server.proc->signal(SIGCONT);
  CHECK(sent <= 64);  // the server's window, and not one more
  CHECK(st.error().code == 408);
}

TEST_CASE("bad stream opens and messages get clear errors with codes", "[stream]") {
  auto server = start_stream_server("streams", {{"MICRO_SERVER_MAX_STREAMS", "2"}});
  auto client = make_client(server);
  SECTION("unknown stream endpoint: 404") {
    auto s = client->stream_raw({}, "streams", "Stream.Nope");
    REQUIRE_FALSE(s.ok());
    CHECK(s.error().code == 404);
  }
  SECTION("a unary endpoint opened as a stream: 400") {
    auto s = client->stream_raw({}, "streams", "Test.Ping");
    REQUIRE_FALSE(s.ok());
    CHECK(s.error().code == 400);
  }
  SECTION("a stream endpoint called as a unary endpoint: 404") {
    auto r = client->call<json>("streams", "Stream.Echo", json::object());
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == 404);
  }
  SECTION("unknown service: 404") {
    auto s = client->stream_raw({}, "nobody", "Stream.Echo");
    REQUIRE_FALSE(s.ok());
    CHECK(s.error().code == 404);
  }
  SECTION("beyond the server's stream limit: 503, and a slot frees when a stream ends") {
    auto a = client->stream_raw({}, "streams", "Stream.Wait");
    auto b = client->stream_raw({}, "streams", "Stream.Wait");
    REQUIRE(a.ok());
    REQUIRE(b.ok());
    auto c = client->stream_raw({}, "streams", "Stream.Wait", micro::stream_options{}.with_retries(0));
    REQUIRE_FALSE(c.ok());
    CHECK(c.error().code == 503);
    a->cancel();
    REQUIRE(wait_stream_end(server, "Stream.Wait").is_object());
    REQUIRE(eventually([&] { return client->stream_raw({}, "streams", "Stream.Wait").ok(); }));
  }
  SECTION("an undecodable message ends a typed stream with 400 on both sides") {
    auto s = client->stream_raw({}, "streams", "Stream.Count", micro::stream_options{}.with_content_type("application/json"));
    REQUIRE(s.ok());
    REQUIRE(s->send("{not json").ok());
    std::string body;
    CHECK_FALSE(s->recv(body));
    auto st = s->final_status();
    REQUIRE_FALSE(st.ok());
    CHECK(st.error().code == 400);
    auto ev = wait_stream_end(server, "Stream.Count");
    REQUIRE(ev.is_object());
    CHECK(ev["code"] == 400);
  }
  SECTION("sending after close_send: 409") {
    auto s = client->stream_raw({}, "streams", "Stream.Echo");
    REQUIRE(s.ok());
    REQUIRE(s->close_send().ok());
    auto st = s->send("late");
    REQUIRE_FALSE(st.ok());
    CHECK(st.error().code == 409);
    CHECK(s->finish().ok());
  }
  SECTION("a moved-from stream: 400, no crash") {
    auto s = client->stream_raw({}, "streams", "Stream.Echo");
    REQUIRE(s.ok());
    micro::raw_stream taken = std::move(*s);
    CHECK(s->send("x").error().code == 400);
    std::string body;
    CHECK_FALSE(s->recv(body));
    CHECK(taken.finish().ok());
  }
}
