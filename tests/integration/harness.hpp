#pragma once
// Shared pieces of the integration tests: starting micro-test-server processes and making
// clients that reach them through the static registry, over loopback only.

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "micro/micro.hpp"
#include "process.hpp"

namespace micro::test {

using json = nlohmann::json;
using namespace std::chrono_literals;
using std::chrono::milliseconds;
using std::chrono::steady_clock;

/// Environment every process of a test shares: heartbeats often enough for a 1 s connection
/// timeout (the SIGSTOP test relies on it), applied by micro::apply_environment.
const std::map<std::string, std::string>& heartbeat_env();

/// Sets heartbeat_env() in this process; call before the first client is created (main does).
void configure_test_process();

struct server_config {
  server_config(std::string n = "test", std::string registry = {}, std::vector<std::string> flags = {})  // NOLINT
      : name(std::move(n)), registry_address(std::move(registry)), args(std::move(flags)) {}

  std::string name;
  std::string registry_address;              // static entries for the server's own client
  std::vector<std::string> args;             // extra flags
  std::map<std::string, std::string> env;    // extra MICRO_* (override the defaults)
  std::string binary = "micro-test-server";  // in build/bin; any server printing "listening ADDR"
};

struct running_server {
  std::unique_ptr<micro::test::process> proc;
  std::string name;
  std::string address;  // "127.0.0.1:PORT" as printed by the server
  std::string meta;     // ";transport=tcp;transport_address=PORT" when it takes calls over tcp
  /// "name=address[;metadata]", for a static registry.
  std::string entry() const { return name + "=" + address + meta; }
};

/// Starts micro-test-server on 127.0.0.1:0 and waits (by reading its output, not by sleeping)
/// until it serves and its signal handlers are installed. Fails the test with the server's
/// output if it does not get there.
running_server start_test_server(server_config cfg = {});

/// A client whose static registry holds `registry_address` ("svc=host:port,..."), already
/// connected to each of `connect` (see connect_to).
std::unique_ptr<micro::client> make_client(const std::string& registry_address,
                                           const std::vector<const running_server*>& connect = {});
/// A client for one server, connected to it.
std::unique_ptr<micro::client> make_client(const running_server& s);

/// True for the error of a known CAF 0.17.6 issue: an outgoing connection has no `last_seen`
/// until the peer's handshake arrives, so a heartbeat tick in between drops it as
/// "connection_timeout" long before the configured timeout. Only a long-lived process with
/// heartbeats on (like this test process) meets it, on the first call to a node.
bool dropped_before_handshake(const micro::error& e);

/// Makes the first connection from `c` to `s` (Debug.Health, retried only on
/// dropped_before_handshake), so tests assert on calls over an established connection, not on
/// that CAF race. The calls that test connecting itself do not use this.
void connect_to(micro::client& c, const running_server& s);

/// Milliseconds since `t0`.
long long ms_since(steady_clock::time_point t0);

/// Reads the server's stdout until `n` Test.Sleep handlers have announced that they started.
bool wait_sleepers(running_server& s, int n, milliseconds timeout = 10s);

/// A thread joined by its destructor, so a failed REQUIRE never leaves a joinable std::thread.
class joining_thread {
 public:
  template <class F>
  explicit joining_thread(F&& f) : t_(std::forward<F>(f)) {}
  joining_thread(joining_thread&&) = default;
  ~joining_thread() { join(); }
  void join() {
    if (t_.joinable())
      t_.join();
  }

 private:
  std::thread t_;
};

/// Polls Debug.Stats until in_flight == n (true) or `timeout` passes (false).
bool wait_in_flight(micro::client& c, const std::string& service, long long n, milliseconds timeout = 10s);

/// Polls Test.Log until an event with "event": "chain" and `tag` appears; null json if not.
json wait_chain_event(micro::client& c, const std::string& service, const std::string& tag,
                      milliseconds timeout = 10s);

/// Test.Count of `service`; -1 if the call fails.
long long handler_runs(micro::client& c, const std::string& service);

}  // namespace micro::test
