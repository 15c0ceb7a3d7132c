// A live tcp listener attacked through raw sockets, as someone on the network would. After each
// attack: the bad connection is closed with exactly one logged reason, a well-behaved caller is
// still answered, and memory did not grow by what the attacker claimed.
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <thread>

#include "helpers.hpp"
#include "raw_socket.hpp"

using namespace transport_test;

namespace {

long rss_kib() {
  std::ifstream status{"/proc/self/status"};
  std::string key;
  long value = 0;
  while (status >> key) {
    if (key == "VmRSS:") {
      status >> value;
      return value;
    }
    status.ignore(1 << 12, '\n');
  }
  return 0;
}

limits test_limits() {
  limits lim;
  lim.handshake_timeout = 300ms;
  lim.idle_timeout = 400ms;
  lim.max_calls_in_flight = 4;
  return lim;  // max_frame_size: the default 4 MiB
}

// One bad connection is closed with exactly one logged reason that names `code`, and a good
// caller is answered afterwards.
void expect_one_reason_and_service(echo_server& server, const char* code) {
  auto lines = server.log.wait_for(1);
  REQUIRE(lines.size() == 1);
  CHECK(lines[0].find(code) != std::string::npos);
  CHECK(call_once("tcp", server.address(), "after the attack") == "after the attack");
  CHECK(server.log.lines().size() == 1);
}

}  // namespace

TEST_CASE("garbage instead of a hello closes that connection only", "[hostile]") {
  echo_server server{"tcp", test_limits()};
  raw_socket bad{server.address()};
  bad.send("GET / HTTP/1.1\r\nHost: micro\r\n\r\n");
  CHECK(bad.wait_closed(5s));
  expect_one_reason_and_service(server, "bad_version");  // byte 4 of "GET / HTTP" is not version 1
}

TEST_CASE("garbage after a valid handshake closes that connection only", "[hostile]") {
  echo_server server{"tcp", test_limits()};
  raw_socket bad{server.address()};
  bad.send(hello());
  bad.send(frame_bytes(4, protocol_version, static_cast<frame_kind>(200), 1, "junk"));
  CHECK(bad.wait_closed(5s));
  expect_one_reason_and_service(server, "bad_frame");
}

TEST_CASE("a 4 GiB length prefix is refused without allocating it", "[hostile]") {
  echo_server server{"tcp", test_limits()};
  auto before = rss_kib();
  std::vector<std::unique_ptr<raw_socket>> bad;
  for (int i = 0; i < 10; ++i) {  // ten of them: 40 GiB claimed in total
    bad.push_back(std::make_unique<raw_socket>(server.address()));
    bad.back()->send(hello());
    bad.back()->send(frame_bytes(0xffffffffu, protocol_version, frame_kind::request, 1, "abc"));
  }
  std::string told;
  CHECK(bad.front()->wait_closed(5s, &told));
  for (auto& b : bad) CHECK(b->wait_closed(5s));
  // The peer was told why: our hello, then a goaway naming the limit.
  CHECK(told.find("4294967295") != std::string::npos);
  CHECK(rss_kib() - before < 16 * 1024);
  auto lines = server.log.wait_for(10);
  CHECK(lines.size() == 10);
  for (auto& line : lines) CHECK(line.find("frame_too_large") != std::string::npos);
  CHECK(call_once("tcp", server.address(), "after the attack") == "after the attack");
}

TEST_CASE("a frame cut short by the sender is logged as such", "[hostile]") {
  echo_server server{"tcp", test_limits()};
  raw_socket bad{server.address()};
  bad.send(hello());
  bad.send(frame_bytes(100, protocol_version, frame_kind::request, 1, "only ten b"));
  bad.half_close();  // the server reads EOF in the middle of the frame
  CHECK(bad.wait_closed(5s));
  expect_one_reason_and_service(server, "bad_frame");
}

TEST_CASE("a hello of another protocol version is refused with a goaway that says so", "[hostile]") {
  echo_server server{"tcp", test_limits()};
  raw_socket bad{server.address()};
  bad.send(hello(protocol_version + 1));
  std::string told;
  CHECK(bad.wait_closed(5s, &told));
  REQUIRE(told.size() > frame_header_size);
  CHECK(static_cast<frame_kind>(told[5]) == frame_kind::goaway);
  CHECK(told.find("version 2") != std::string::npos);
  expect_one_reason_and_service(server, "bad_version");
}

TEST_CASE("connections that never handshake are closed after the handshake timeout", "[hostile]") {
  echo_server server{"tcp", test_limits()};
  std::vector<std::unique_ptr<raw_socket>> idle;
  for (int i = 0; i < 50; ++i) idle.push_back(std::make_unique<raw_socket>(server.address()));
  // While they hold their fds, a good caller is served.
  CHECK(call_once("tcp", server.address(), "meanwhile") == "meanwhile");
  for (auto& s : idle) CHECK(s->wait_closed(5s));
  auto lines = server.log.wait_for(50);
  CHECK(lines.size() == 50);
  for (auto& line : lines) CHECK(line.find("handshake_timeout") != std::string::npos);
}

TEST_CASE("a hello sent one byte at a time does not outlast the handshake timeout", "[hostile]") {
  echo_server server{"tcp", test_limits()};
  raw_socket bad{server.address()};
  auto bytes = hello();
  // Every byte 50 ms apart: the whole hello would take ~1.5 s, the deadline is 300 ms.
  std::size_t sent = 0;
  while (sent < bytes.size() && !bad.closed_now() && bad.try_send(bytes.substr(sent, 1))) {
    ++sent;
    std::this_thread::sleep_for(50ms);  // the attacker's pace, not synchronisation
  }
  CHECK(sent < bytes.size());
  CHECK(bad.wait_closed(5s));
  expect_one_reason_and_service(server, "handshake_timeout");
}

TEST_CASE("a slow-loris sender after the handshake is closed by the idle timeout", "[hostile]") {
  echo_server server{"tcp", test_limits()};
  raw_socket bad{server.address()};
  bad.send(hello());
  // A call the server holds: one in flight must not shield a stalled half frame.
  bad.send(frame_bytes(4, protocol_version, frame_kind::request, 7, "hold"));
  auto bytes = frame_bytes(1000, protocol_version, frame_kind::request, 1, std::string(1000, 'x'));
  // A byte every 50 ms keeps bytes flowing but never completes a frame (idle timeout 400 ms).
  std::size_t sent = 0;
  while (sent < bytes.size() && !bad.closed_now() && bad.try_send(bytes.substr(sent, 1))) {
    ++sent;
    std::this_thread::sleep_for(50ms);  // the attacker's pace, not synchronisation
  }
  CHECK(sent < 100);
  CHECK(bad.wait_closed(5s));
  expect_one_reason_and_service(server, "idle_timeout");
}

TEST_CASE("more calls in flight than allowed close that connection", "[hostile]") {
  echo_server server{"tcp", test_limits(), /*hold_requests=*/true};
  raw_socket bad{server.address()};
  bad.send(hello());
  std::string burst;
  for (uint64_t id = 0; id < 5; ++id) burst += frame_bytes(1, protocol_version, frame_kind::request, id, "x");
  bad.send(burst);  // the limit is 4
  CHECK(bad.wait_closed(5s));
  auto lines = server.log.wait_for(1);
  REQUIRE(lines.size() == 1);
  CHECK(lines[0].find("too_many_calls") != std::string::npos);
}

TEST_CASE("a server that holds calls keeps the connection past the idle timeout", "[hostile]") {
  // The other side of the idle rule: calls in flight and no frames is someone waiting.
  echo_server server{"tcp", test_limits(), /*hold_requests=*/true};
  raw_socket caller{server.address()};
  caller.send(hello());
  caller.send(frame_bytes(1, protocol_version, frame_kind::request, 1, "x"));
  CHECK_FALSE(caller.wait_closed(1s));  // 2.5x the idle timeout
  CHECK(server.log.lines().empty());
}

TEST_CASE("a peer that sends calls but never reads the answers is closed at the backlog limit", "[hostile]") {
  auto lim = test_limits();
  lim.max_calls_in_flight = 1024;  // answered at once: the backlog, not the calls, is what grows
  lim.max_pending_bytes = 4u << 20;
  echo_server server{"tcp", lim};
  auto before = rss_kib();
  raw_socket bad{server.address()};
  bad.send(hello());
  std::string batch;
  for (uint64_t id = 0; id < 16; ++id)
    batch += frame_bytes(64 << 10, protocol_version, frame_kind::request, id, std::string(64 << 10, 'x'));
  std::size_t sent = 0;
  while (sent < (std::size_t{512} << 20) && bad.try_send(batch))  // ids repeat: each is answered first
    sent += batch.size();
  INFO("sent " << (sent >> 20) << " MiB");
  CHECK(sent < (std::size_t{512} << 20));  // closed on the way
  // The 4 MiB queued plus as much being written, and the kernel's buffers either way: far below.
  CHECK(rss_kib() - before < 64 * 1024);
  expect_one_reason_and_service(server, "peer does not read");
}
