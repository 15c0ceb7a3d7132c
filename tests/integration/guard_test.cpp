// The guard in front of CAF's BASP (actors/basp_guard.hpp), attacked the way a host on the
// network could: after each bad connection the node still answers a normal call promptly, its
// memory did not grow by what the attacker claimed, and the connection was closed with one
// logged reason. Without the guard, CAF 0.17.6 allocates whatever a header claims, never closes
// a connection that does not handshake, and stops accepting when fds run out.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <set>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "greeter.pb.h"
#include "harness.hpp"
#include "raw_peer.hpp"

using namespace micro::test;

namespace {

constexpr long long rss_slack = 64LL << 20;  // far below every claim made here (1 GiB, 4 GiB)
constexpr uint8_t direct_message_op = 2;
constexpr uint8_t monitor_message_op = 4;

// Timeouts short enough for a quick test; the defaults are 5 s and 60 s.
std::map<std::string, std::string> quick_timeouts() {
  return {{"MICRO_TRANSPORT_HANDSHAKE_TIMEOUT", "1s"}, {"MICRO_TRANSPORT_IDLE_TIMEOUT", "1s"}};
}

uint16_t port_of(const running_server& s) {
  return static_cast<uint16_t>(std::stoul(s.address.substr(s.address.rfind(':') + 1)));
}

// A normal call: it must succeed, and soon.
void require_prompt_call(micro::client& client, const std::string& name = "after") {
  greeter::Request req;
  req.set_name(name);
  auto t0 = steady_clock::now();
  auto rsp = client.call<greeter::Response>("test", "Test.Echo", req, micro::call_options{}.with_timeout(5s));
  auto elapsed = ms_since(t0);
  INFO((rsp ? "" : rsp.error().to_json()));
  REQUIRE(rsp.ok());
  CHECK(rsp->msg() == "Hello " + name);
  CHECK(elapsed < 1000);
}

// Reads the node's stderr until, for each of `ports`, a guard line says it closed the connection
// from that port for `reason`. Returns the ports no such line named within `timeout`.
std::set<uint16_t> unlogged_closes(running_server& s, std::set<uint16_t> ports, const std::string& reason,
                                   milliseconds timeout = 5s) {
  auto until = steady_clock::now() + timeout;
  while (!ports.empty()) {
    auto left = std::chrono::duration_cast<milliseconds>(until - steady_clock::now());
    if (left.count() <= 0)
      break;
    auto line = s.proc->read_line(stream::err, left);
    if (!line)
      break;
    for (auto it = ports.begin(); it != ports.end(); ++it) {
      auto who = "micro.guard: closed connection from 127.0.0.1:" + std::to_string(*it) + ": ";
      if (line->find(who) != std::string::npos && line->find(reason) != std::string::npos) {
        ports.erase(it);
        break;
      }
    }
  }
  return ports;
}

}  // namespace

TEST_CASE("guard: garbage on a node's port is closed with a logged reason", "[integration][guard]") {
  auto srv = start_test_server();
  auto client = make_client(srv);
  raw_peer peer{port_of(srv)};
  REQUIRE(peer.send("GET / HTTP/1.1\r\nHost: micro\r\nUser-Agent: scanner\r\n\r\n"));
  CHECK(unlogged_closes(srv, {peer.local_port()}, "not a BASP header").empty());
  CHECK(peer.wait_closed(2s));
  require_prompt_call(*client);
}

TEST_CASE("guard: a truncated header is closed at the handshake timeout", "[integration][guard]") {
  server_config cfg;
  cfg.env = quick_timeouts();
  auto srv = start_test_server(cfg);
  auto client = make_client(srv);
  raw_peer peer{port_of(srv)};
  REQUIRE(peer.send(basp_header(1, 32).substr(0, 20)));
  require_prompt_call(*client, "meanwhile");
  CHECK(unlogged_closes(srv, {peer.local_port()}, "no BASP handshake within 1000ms").empty());
  CHECK(peer.wait_closed(2s));
  require_prompt_call(*client);
}

TEST_CASE("guard: a header claiming 4 GiB is refused before anything is allocated", "[integration][guard]") {
  auto srv = start_test_server();
  auto client = make_client(srv);
  auto rss_before = rss_bytes(srv.proc->pid());
  REQUIRE(rss_before > 0);
  raw_peer peer{port_of(srv)};
  REQUIRE(peer.send(basp_header(1, 0xFFFFFFFFu)));  // a client handshake as BASP accepts it
  CHECK(unlogged_closes(srv, {peer.local_port()}, "handshake claims 4294967295 bytes").empty());
  require_prompt_call(*client);
  auto grown = rss_bytes(srv.proc->pid()) - rss_before;
  INFO("RSS grew by " << (grown >> 20) << " MiB");
  CHECK(grown < rss_slack);
  CHECK(peer.wait_closed(2s));
}

TEST_CASE("guard: ten handshaken connections claiming 100 MiB each are closed, memory stays flat",
          "[integration][guard]") {
  server_config cfg;
  cfg.env = {{"MICRO_CONNECTION_TIMEOUT", "30s"}};  // CAF itself would drop the silent peers after 1 s
  auto srv = start_test_server(cfg);
  auto client = make_client(srv);
  auto rss_before = rss_bytes(srv.proc->pid());
  REQUIRE(rss_before > 0);
  std::vector<raw_peer> peers;
  std::set<uint16_t> ports;
  for (uint32_t i = 0; i < 10; ++i) {
    auto& peer = peers.emplace_back(port_of(srv));
    REQUIRE(peer.handshake(0x7e000000 + i, 5s));
    REQUIRE(peer.send(basp_header(direct_message_op, 100u << 20, 0, 0, 1)));
    ports.insert(peer.local_port());
  }
  CHECK(unlogged_closes(srv, ports, "frame of 104857600 bytes exceeds max_frame_size 16777216").empty());
  require_prompt_call(*client);
  auto grown = rss_bytes(srv.proc->pid()) - rss_before;
  INFO("RSS grew by " << (grown >> 20) << " MiB");
  CHECK(grown < rss_slack);
  for (auto& peer : peers)
    CHECK(peer.wait_closed(2s));
}

TEST_CASE("guard: a slow-loris handshake is closed at the handshake timeout", "[integration][guard]") {
  server_config cfg;
  cfg.env = quick_timeouts();
  auto srv = start_test_server(cfg);
  auto client = make_client(srv);
  raw_peer peer{port_of(srv)};
  auto handshake = basp_header(1, 32);
  auto t0 = steady_clock::now();
  bool closed = false;
  // One byte every 100 ms: the 32-byte header would take 3.2 s.
  for (std::size_t i = 0; i < handshake.size() && !closed; ++i) {
    closed = !peer.send(handshake.substr(i, 1)) || peer.wait_closed(100ms);
    if (i == 2)
      require_prompt_call(*client, "meanwhile");
  }
  auto elapsed = ms_since(t0);
  CHECK(closed);
  CHECK(elapsed >= 1000);
  CHECK(elapsed < 2500);
  CHECK(unlogged_closes(srv, {peer.local_port()}, "no BASP handshake within 1000ms").empty());
  require_prompt_call(*client);
}

TEST_CASE("guard: a slow-loris payload after a handshake is closed at the idle timeout", "[integration][guard]") {
  server_config cfg;
  cfg.env = quick_timeouts();
  cfg.env["MICRO_CONNECTION_TIMEOUT"] = "30s";  // else CAF's own heartbeat check could close it first
  auto srv = start_test_server(cfg);
  auto client = make_client(srv);
  raw_peer peer{port_of(srv)};
  REQUIRE(peer.handshake(0x7e0000aa, 5s));
  REQUIRE(peer.send(basp_header(direct_message_op, 1000, 0, 0, 1)));
  auto t0 = steady_clock::now();
  bool closed = false;
  for (int i = 0; i < 40 && !closed; ++i)  // the payload, one byte every 100 ms
    closed = !peer.send("x") || peer.wait_closed(100ms);
  auto elapsed = ms_since(t0);
  CHECK(closed);
  CHECK(elapsed >= 900);
  CHECK(elapsed < 2500);
  CHECK(unlogged_closes(srv, {peer.local_port()}, "nothing complete received for 1000ms (idle_timeout)").empty());
  require_prompt_call(*client);
}

TEST_CASE("guard: a peer that sends but never reads is closed before its backlog grows past 64 MiB",
          "[integration][guard]") {
  server_config cfg;
  cfg.env = {{"MICRO_CONNECTION_TIMEOUT", "30s"}};
  auto srv = start_test_server(cfg);
  auto client = make_client(srv);
  auto rss_before = rss_bytes(srv.proc->pid());
  REQUIRE(rss_before > 0);
  raw_peer peer{port_of(srv)};
  REQUIRE(peer.handshake(0x7e0000bb, 5s));
  // "Monitor your actor 0x7fffffff": it does not exist, so the node answers each of these
  // 96-byte messages with a down message of about 110 bytes, which this peer never reads.
  std::string batch;
  for (int i = 0; i < 1000; ++i)
    batch += basp_header(monitor_message_op, 64, 0, 0, 0x7fffffff) + peer.own_node_id() + peer.node_id();
  std::size_t sent = 0;
  while (sent < (std::size_t{150} << 20) && peer.send(batch))
    sent += batch.size();
  INFO("sent " << (sent >> 20) << " MiB");
  CHECK(sent < (std::size_t{100} << 20));  // closed on the way
  CHECK(unlogged_closes(srv, {peer.local_port()}, "queued for a peer that does not read them").empty());
  require_prompt_call(*client);
#if !defined(__SANITIZE_ADDRESS__)  // ASan's quarantine keeps the freed backlog: RSS says nothing there
  // At its peak the node held the 64 MiB backlog, and for a moment its copy while the buffer grew
  // (measured: ~110 MiB). Counting only the bytes not yet handed to the socket let it reach
  // 64 MiB more (measured: 194 MiB, one run in four).
  auto peak = peak_rss_bytes(srv.proc->pid()) - rss_before;
  INFO("peak RSS grew by " << (peak >> 20) << " MiB");
  CHECK(peak < 2 * (64LL << 20) + rss_slack / 2);
  auto grown = rss_bytes(srv.proc->pid()) - rss_before;
  INFO("RSS grew by " << (grown >> 20) << " MiB");
  CHECK(grown < 2 * rss_slack);  // the 64 MiB backlog, gone with the connection
#else
  static_cast<void>(rss_before);
#endif
}

TEST_CASE("guard: 1,100 connections that never handshake do not exhaust a 1,024 fd limit",
          "[integration][guard]") {
  rlimit own{};
  REQUIRE(::getrlimit(RLIMIT_NOFILE, &own) == 0);
  if (own.rlim_cur < 2048) {  // this process holds the 1,100 sockets
    own.rlim_cur = std::min<rlim_t>(own.rlim_max, 4096);
    ::setrlimit(RLIMIT_NOFILE, &own);
  }
  if (own.rlim_cur < 2048)
    FAIL("this test process may open only " << own.rlim_cur << " files; it needs 2048");
  server_config cfg;
  cfg.env = {{"TEST_NOFILE", "1024"}, {"MICRO_TRANSPORT_HANDSHAKE_TIMEOUT", "60s"}};  // room, not time, is tested
  auto srv = start_test_server(cfg);
  std::vector<raw_peer> idle;
  idle.reserve(1100);
  for (int i = 0; i < 1100; ++i)
    idle.emplace_back(port_of(srv));
  auto client = make_client(srv.entry());  // a new connection, after all of them
  require_prompt_call(*client);
  auto fds = open_fds(srv.proc->pid());
  INFO(fds << " files open in the node");
  CHECK(fds > 0);
  CHECK(fds < 1024 - 32);
  auto line = srv.proc->wait_for_line(stream::err, "made room for a new connection", 5s);
  CHECK(line);
  // The node accepts what waits in the kernel's listen backlog at its own pace (the client above
  // may have come in on the tcp transport's listener), so the closes are awaited, not sampled.
  // (closed_by_node() remembers a close, so counting again each round is cheap.)
  auto count_closed = [&idle] {
    return std::count_if(idle.begin(), idle.end(), [](raw_peer& p) { return p.closed_by_node(); });
  };
  auto closed = count_closed();
  for (auto deadline = steady_clock::now() + 10s; closed < 1100 - 1024 && steady_clock::now() < deadline;
       closed = count_closed())
    std::this_thread::sleep_for(20ms);  // polling interval of a wait with a deadline
  CHECK(closed >= 1100 - 1024);
}

TEST_CASE("guard: a dialled node that answers with a 4 GiB header is closed, the caller keeps serving",
          "[integration][guard]") {
  // A listener that answers every connection with a server handshake claiming 4 GiB.
  int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  REQUIRE(listener >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  REQUIRE(::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0);
  REQUIRE(::listen(listener, 8) == 0);
  REQUIRE(::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
  auto fake = "127.0.0.1:" + std::to_string(ntohs(addr.sin_port));
  int accepted = -1;
  joining_thread answer{[&] {
    pollfd p{listener, POLLIN, 0};
    if (::poll(&p, 1, 10000) != 1)
      return;  // never dialled: the checks below fail
    accepted = ::accept(listener, nullptr, nullptr);
    if (accepted >= 0) {
      auto h = basp_header(0, 0xFFFFFFFFu, 1);  // a server handshake as BASP accepts it
      static_cast<void>(::send(accepted, h.data(), h.size(), MSG_NOSIGNAL));
    }
  }};

  auto srv = start_test_server({"test", "fake=" + fake});
  auto client = make_client(srv);
  auto rss_before = rss_bytes(srv.proc->pid());
  REQUIRE(rss_before > 0);
  json chain{{"service", "fake"}, {"endpoint", "Fake.Call"}, {"timeout_ms", 3000}};
  auto rsp = client->call<json>("test", "Test.Chain", chain, micro::call_options{}.with_timeout(5s));
  answer.join();
  CHECK_FALSE(rsp.ok());  // the fake node never became a node
  auto line = srv.proc->wait_for_line(stream::err, "micro.guard: closed connection to " + fake, 5s);
  REQUIRE(line);
  CHECK_THAT(*line, Catch::Contains("handshake claims 4294967295 bytes"));
  require_prompt_call(*client);
  auto grown = rss_bytes(srv.proc->pid()) - rss_before;
  INFO("RSS grew by " << (grown >> 20) << " MiB");
  CHECK(grown < rss_slack);
  if (accepted >= 0)
    ::close(accepted);
  ::close(listener);
}
