#include "harness.hpp"

#include <cstdlib>
#include <stdexcept>
#include <thread>

#include <catch2/catch.hpp>

namespace micro::test {

const std::map<std::string, std::string>& heartbeat_env() {
  static const std::map<std::string, std::string> env{
    {"MICRO_HEARTBEAT_INTERVAL", "100ms"},
    {"MICRO_CONNECTION_TIMEOUT", "1s"},
  };
  return env;
}

void configure_test_process() {
  for (auto& [k, v] : heartbeat_env())
    ::setenv(k.c_str(), v.c_str(), 1);
}

running_server start_test_server(server_config cfg) {
  std::map<std::string, std::string> env = heartbeat_env();
  env["MICRO_REGISTRY"] = "static";
  // The static registry needs at least one entry even when the server calls nobody.
  env["MICRO_REGISTRY_ADDRESS"] = cfg.registry_address.empty() ? "unused=127.0.0.1:9" : cfg.registry_address;
  env["MICRO_SERVER_ADDRESS"] = "127.0.0.1:0";
  // The transport the servers take calls over, for a whole run (CMake runs [rpc] and [lifecycle] once more with caf).
  const char* transport = std::getenv("MICRO_TEST_TRANSPORT");
  if (transport != nullptr)
    env["MICRO_TRANSPORT"] = transport;
  for (auto& [k, v] : cfg.env)
    env[k] = v;
  std::vector<std::string> args{"--server_name", cfg.name};
  args.insert(args.end(), cfg.args.begin(), cfg.args.end());

  running_server s;
  s.name = cfg.name;
  s.proc = std::make_unique<process>(sibling_binary(cfg.binary), args, env);
  auto first = s.proc->read_line(stream::out, 30s);
  if (!first || first->rfind("listening 127.0.0.1:", 0) != 0)
    FAIL(cfg.binary << " " << cfg.name << " did not start; its output:\n" << s.proc->transcript());
  s.address = first->substr(std::string{"listening "}.size());
  if (auto semi = s.address.find(';'); semi != std::string::npos) {
    s.meta = s.address.substr(semi);
    s.address.resize(semi);
  }
  if (transport != nullptr && std::string{transport} != "caf"
      && s.meta.find(std::string{";transport="} + transport) == std::string::npos)
    FAIL(cfg.binary << " does not advertise transport " << transport << ": " << *first);
  // run() logs this once its signal handlers are in place: from then on SIGTERM means a
  // graceful stop rather than the default action.
  if (!s.proc->wait_for_line(stream::err, "listening on " + s.address, 30s))
    FAIL(cfg.binary << " " << cfg.name << " did not log that it runs; its output:\n" << s.proc->transcript());
  return s;
}

std::unique_ptr<micro::client> make_client(const std::string& registry_address,
                                           const std::vector<const running_server*>& connect) {
  micro::options opts;
  if (auto st = micro::apply_environment(opts); !st)
    throw std::runtime_error(st.error().to_json());
  opts.with_registry("static", registry_address);
  auto c = std::make_unique<micro::client>(opts);
  for (auto* s : connect)
    connect_to(*c, *s);
  return c;
}

std::unique_ptr<micro::client> make_client(const running_server& s) { return make_client(s.entry(), {&s}); }

bool dropped_before_handshake(const micro::error& e) {
  return e.code == 503 && e.detail.find("connection_timeout") != std::string::npos;
}

void connect_to(micro::client& c, const running_server& s) {
  micro::raw_message req;
  req.content_type = req.accept = "application/json";
  req.body = "{}";
  micro::error last;
  for (int attempt = 0; attempt < 5; ++attempt) {
    auto rsp = c.call_raw({}, s.name, "Debug.Health", req, micro::call_options{}.with_address(s.address));
    if (rsp.ok())
      return;
    last = rsp.error();
    if (!dropped_before_handshake(last))
      break;
    WARN("first connection to " << s.address << " dropped before its handshake (CAF 0.17 issue); retrying");
  }
  FAIL("cannot connect to " << s.name << " at " << s.address << ": " << last.to_json() << "\nits output:\n"
                            << s.proc->transcript());
}

long long ms_since(steady_clock::time_point t0) {
  return std::chrono::duration_cast<milliseconds>(steady_clock::now() - t0).count();
}

bool wait_sleepers(running_server& s, int n, milliseconds timeout) {
  auto until = steady_clock::now() + timeout;
  for (int seen = 0; seen < n; ++seen) {
    auto left = std::chrono::duration_cast<milliseconds>(until - steady_clock::now());
    if (left.count() <= 0 || !s.proc->wait_for_line(stream::out, "sleeping ", left))
      return false;
  }
  return true;
}

bool wait_in_flight(micro::client& c, const std::string& service, long long n, milliseconds timeout) {
  auto until = steady_clock::now() + timeout;
  while (steady_clock::now() < until) {
    auto stats = c.call<json>(service, "Debug.Stats", json::object());
    if (stats && stats->value("in_flight", -1LL) == n)
      return true;
    std::this_thread::sleep_for(5ms);  // polling an observable state, not a synchronisation guess
  }
  return false;
}

json wait_chain_event(micro::client& c, const std::string& service, const std::string& tag, milliseconds timeout) {
  auto until = steady_clock::now() + timeout;
  while (steady_clock::now() < until) {
    auto events = c.call<json>(service, "Test.Log", json::object());
    if (events)
      for (auto& ev : *events)
        if (ev.value("event", "") == "chain" && ev.value("tag", "") == tag)
          return ev;
    std::this_thread::sleep_for(10ms);
  }
  return nullptr;
}

long long handler_runs(micro::client& c, const std::string& service) {
  auto count = c.call<json>(service, "Test.Count", json::object());
  return count ? count->value("count", -1LL) : -1;
}

}  // namespace micro::test
