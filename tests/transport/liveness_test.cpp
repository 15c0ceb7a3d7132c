// Liveness on the tcp transport: a peer whose process is frozen keeps its TCP connection up, so
// without pings its calls would wait for their deadlines. Here the frozen peer is a raw socket
// that completes the handshake and then answers nothing; the live one is a transport whose
// handler takes many ping timeouts to answer.
#include <catch2/catch.hpp>

#include <future>
#include <thread>

#include "helpers.hpp"
#include "raw_socket.hpp"

using namespace transport_test;
using steady = std::chrono::steady_clock;

namespace {

limits pinging_limits() {
  limits lim;
  lim.ping_interval = 50ms;
  lim.ping_timeout = 300ms;
  return lim;
}

transport_options pinging_options(log_capture& log) {
  transport_options options;
  options.limits = pinging_limits();
  options.log = log.sink();
  return options;
}

// Accepts one connection on `l`, waits for the dialler's hello and answers it with `flags`.
// Runs beside the blocking dial (which returns once this hello arrives); no assertions inside.
std::future<std::unique_ptr<raw_socket>> accept_and_greet(raw_listener& l, uint16_t flags) {
  return std::async(std::launch::async, [&l, flags] {
    auto s = std::make_unique<raw_socket>(l.accept());
    std::string got;
    if (!s->wait_frames(1, 5s, got) || !s->try_send(hello(protocol_version, flags)))
      return std::unique_ptr<raw_socket>{};
    return s;
  });
}

// A dialler's view of its connection: how it closed and the first response. Shared with the
// handlers, which may run after the test's locals are gone (the transport closes at its end).
struct dialler_view {
  std::shared_ptr<std::promise<status>> closed = std::make_shared<std::promise<status>>();
  std::shared_ptr<std::promise<std::string>> answer = std::make_shared<std::promise<std::string>>();
  std::future<status> closing = closed->get_future();
  std::future<std::string> answered = answer->get_future();

  connection_handlers handlers() {
    connection_handlers h;
    h.on_close = [closed = closed](const connection_ptr&, const status& why) { closed->set_value(why); };
    h.on_frame = [answer = answer](const connection_ptr&, frame&& f) {
      if (f.kind == frame_kind::response) answer->set_value(std::move(f.body));
    };
    return h;
  }
};

}  // namespace

TEST_CASE("a frozen peer is pinged, then given up after ping_timeout: its calls fail at once", "[transport][liveness]") {
  // A publication batch unanswered counts as a call in flight does (call_counter).
  const auto kind = GENERATE(frame_kind::request, frame_kind::publication);
  log_capture log;
  auto t = make_transport("tcp", pinging_options(log)).value;
  raw_listener frozen;
  auto greeted = accept_and_greet(frozen, hello_answers_pings);
  dialler_view view;
  auto c = t->dial(frozen.address(), view.handlers());
  REQUIRE(c.ok());
  auto peer = greeted.get();
  REQUIRE(peer);

  auto sent_at = steady::now();
  REQUIRE(c.value->send(frame{kind, 0, 7, "are you there"}).ok());
  std::string got;
  CHECK(peer->wait_closed(5s, &got));
  REQUIRE(view.closing.wait_for(5s) == std::future_status::ready);
  auto waited = steady::now() - sent_at;
  auto why = view.closing.get();
  INFO(why.message);
  CHECK(why.code == errc::peer_unresponsive);
  // Not before ping_timeout of silence; within it plus two ticks (and slack for a loaded machine),
  // not a call deadline.
  CHECK(waited >= 300ms);
  CHECK(waited < 1500ms);

  auto frames = parse_frames(got);
  REQUIRE(frames.size() >= 3);
  CHECK(frames.front().kind == kind);
  std::size_t pings = 0;
  for (auto& f : frames) pings += f.kind == frame_kind::ping;
  CHECK(pings >= 2);  // silent for 300 ms, pinged every 50 ms after the first 50
  auto lines = log.wait_for(1);
  REQUIRE(lines.size() == 1);
  CHECK(lines[0].find("peer_unresponsive") != std::string::npos);
}

TEST_CASE("a live peer keeps its connection while a call takes many ping timeouts", "[transport][liveness]") {
  log_capture server_log, client_log;
  auto server = make_transport("tcp", pinging_options(server_log)).value;
  struct joined_threads : std::vector<std::thread> {
    ~joined_threads() { for (auto& t : *this) t.join(); }
  } slow_work;
  connection_handlers sh;
  sh.on_frame = [&slow_work](const connection_ptr& c, frame&& f) {
    if (f.kind != frame_kind::request) return;
    // A handler busy for four ping timeouts; the I/O thread stays free to answer pings.
    slow_work.emplace_back([c, f = std::move(f)]() mutable {
      std::this_thread::sleep_for(1200ms);
      f.kind = frame_kind::response;
      c->send(std::move(f));
    });
  };
  auto l = server->listen("127.0.0.1:0", sh);
  REQUIRE(l.ok());

  auto client = make_transport("tcp", pinging_options(client_log)).value;
  dialler_view view;
  auto c = client->dial(l.value->address(), view.handlers());
  REQUIRE(c.ok());
  REQUIRE(c.value->send(frame{frame_kind::request, 0, 1, "take your time"}).ok());
  REQUIRE(view.answered.wait_for(5s) == std::future_status::ready);
  CHECK(view.answered.get() == "take your time");
  CHECK(c.value->is_open());
  CHECK(client_log.lines().empty());
  CHECK(server_log.lines().empty());
}

TEST_CASE("a peer whose hello does not offer pings is never pinged (a node of an older version)",
          "[transport][liveness]") {
  log_capture log;
  auto t = make_transport("tcp", pinging_options(log)).value;
  raw_listener old_node;
  auto greeted = accept_and_greet(old_node, 0);
  dialler_view view;
  auto c = t->dial(old_node.address(), view.handlers());
  REQUIRE(c.ok());
  auto peer = greeted.get();
  REQUIRE(peer);
  REQUIRE(c.value->send(frame{frame_kind::request, 0, 9, "slow"}).ok());
  // Three ping timeouts of silence from the old node: only the request arrives, nothing closes.
  std::string got;
  CHECK_FALSE(peer->wait_closed(900ms, &got));
  auto frames = parse_frames(got);
  REQUIRE(frames.size() == 1);
  CHECK(frames[0].kind == frame_kind::request);
  peer->send(frame_bytes(2, protocol_version, frame_kind::response, 9, "ok"));
  REQUIRE(view.answered.wait_for(5s) == std::future_status::ready);
  CHECK(view.answered.get() == "ok");
  CHECK(log.lines().empty());
}

TEST_CASE("a listener offers pings in its hello and answers a ping with a pong of the same id", "[transport][liveness]") {
  echo_server srv{"tcp", pinging_limits()};
  raw_socket peer{srv.address()};
  peer.send(hello());
  std::string got;
  REQUIRE(peer.wait_frames(1, 5s, got));
  CHECK(parse_frames(got)[0].kind == frame_kind::hello);
  CHECK((static_cast<unsigned char>(got[7]) & hello_answers_pings) != 0);
  peer.send(frame_bytes(0, protocol_version, frame_kind::ping, 99, ""));
  REQUIRE(peer.wait_frames(2, 5s, got));
  auto frames = parse_frames(got);
  CHECK(frames[1].kind == frame_kind::pong);
  CHECK(frames[1].id == 99);
  CHECK(srv.log.lines().empty());
}

TEST_CASE("the layer above's hello flags reach the peer: peer_flags reads them", "[transport][liveness]") {
  auto backend = GENERATE(std::string{"tcp"}, std::string{"memory"});
  INFO(backend);
  for (uint16_t flags : {uint16_t{0}, hello_takes_publications}) {
    transport_options server_options;
    server_options.hello_flags = flags;
    auto server = make_transport(backend, server_options).value;
    auto l = server->listen(backend == "tcp" ? "127.0.0.1:0" : "", {});
    REQUIRE(l.ok());
    auto c = make_transport(backend).value->dial(l.value->address(), {});
    REQUIRE(c.ok());
    CHECK((c.value->peer_flags() & hello_takes_publications) == flags);
    if (backend == "tcp")
      CHECK((c.value->peer_flags() & hello_answers_pings) != 0);
  }
}
