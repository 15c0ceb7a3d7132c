// micro-test-server: a service with endpoints made for the integration tests.
//
//   micro-test-server --server_name a     (plus MICRO_* variables: address, registry, ...)
//
// Prints "listening HOST:PORT" as the first line of stdout once it serves, then runs until
// SIGINT/SIGTERM (service::run(), which logs "... listening on ..." on stderr once its signal
// handlers are in place).
//
// Endpoints (JSON bodies unless said otherwise):
//   Test.Echo      greeter.Request -> greeter.Response{msg: "Hello <name>"} (any codec)
//   Test.Sleep     {"ms": N} -> {"slept_ms": N, "remaining_ms": R}: sleeps N ms; prints
//                  "sleeping N" on stdout when it starts
//   Test.Throw     throws std::runtime_error("boom")
//   Test.Fail      throws micro::errors::conflict("test.server", "already exists")
//   Test.Metadata  {} -> the request's metadata as a JSON object
//   Test.Chain     {"service", "endpoint", "body", "tag", "delay_ms", "timeout_ms"} -> {"reply": ...}
//                  sleeps delay_ms, then calls service/endpoint with its own context (so deadline
//                  and metadata propagate); logs the outcome as {"event": "chain", "tag", "code",
//                  "elapsed_ms"}; a failed nested call is thrown back unchanged.
//   Test.Count     {} -> {"count": handler runs of the endpoints above so far} (idempotent:
//                  a pure read)
//   Test.Log       {} -> [{"endpoint", "remaining_ms", "metadata"} or chain events, ...]
//   Test.Whoami    {} -> {"node": this node's id, "address": its advertised address}; not counted
//                  (idempotent)
//   Test.Inline    {"name": N} -> {}: a non-blocking endpoint run inline on the service actor
//                  (with_inline); N == "boom" throws std::runtime_error
// Test.Echo is advertised idempotent as well.
//
// Test knobs (TEST_*, not MICRO_*: the tests' process helper passes them on explicitly):
//   TEST_DELAY_MS=N  every call of Test.Echo and Test.Whoami sleeps N ms first (a slow node)
//   TEST_FAIL=1      Test.Whoami answers 500 (a failing node), after the delay if any
//   TEST_WRAPPERS=1  installs three handler wrappers, in this order (so outermost first):
//                    "outer" (tracing), "auth" (answers 401 when the request has metadata
//                    `deny`, without calling on), "inner" (tracing). A tracing wrapper appends
//                    "in:<name>" to the request metadata `x-trail` on the way in, and on the way
//                    out sets the response metadata `x-wrapped` to that trail followed by
//                    ",out:<name>" (so "in:outer,in:inner,out:inner,out:outer"); it logs
//                    {"event": "wrapper-saw", "wrapper", "what"} for an exception coming out of
//                    the handler and rethrows it.
//   TEST_NOFILE=N    lowers the soft RLIMIT_NOFILE to N first thing (the guard tests)
//   TEST_PUBSUB_STREAM=1  also serves a stream and a subscriber (the multi-host tests):
//                    Test.Stream  bidirectional, JSON: each message m -> {"echo": m, "node": id,
//                                 "metadata": the stream's context metadata}
//                    topic "test.events": each publication (JSON) is logged as
//                    {"event": "publication", "body": ..., "metadata": the context's} (see Test.Log)
#include <sys/resource.h>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <mutex>
#include <stdexcept>
#include <thread>

#include <nlohmann/json.hpp>

#include "greeter.pb.h"
#include "micro/micro.hpp"

namespace {

using json = nlohmann::json;
using namespace std::chrono;

struct journal {
  std::mutex mutex;
  json events = json::array();
  uint64_t runs = 0;

  // Called first thing by every counted handler.
  void handler_ran(const micro::context& ctx) {
    json ev{{"event", "run"},
            {"endpoint", ctx.endpoint()},
            {"remaining_ms", ctx.has_deadline() ? duration_cast<milliseconds>(ctx.remaining()).count() : -1},
            {"metadata", ctx.metadata()}};
    std::lock_guard<std::mutex> guard{mutex};
    ++runs;
    events.push_back(std::move(ev));
  }

  void add(json ev) {
    std::lock_guard<std::mutex> guard{mutex};
    events.push_back(std::move(ev));
  }
};

// A non-negative integer from the environment; `fallback` when unset. Exits 2 on a bad value.
long env_number(const char* name, long fallback) {
  const char* text = std::getenv(name);
  if (text == nullptr || *text == '\0')
    return fallback;
  char* end = nullptr;
  long v = std::strtol(text, &end, 10);
  if (*end != '\0' || v < 0) {
    std::cerr << name << " must be a non-negative integer, got \"" << text << "\"" << std::endl;
    std::exit(2);
  }
  return v;
}

// TEST_WRAPPERS' tracing wrapper (see the header comment).
micro::handler_wrapper tracing_wrapper(const std::string& name, journal& log) {
  return [name, &log](micro::raw_handler next) -> micro::raw_handler {
    return [name, &log, next = std::move(next)](const micro::context& ctx,
                                                const micro::raw_message& in) -> micro::result<micro::raw_message> {
      micro::context inner = ctx;
      auto& trail = inner.metadata()["x-trail"];
      trail += (trail.empty() ? "in:" : ",in:") + name;
      auto seen = [&](const std::string& what) {
        log.add({{"event", "wrapper-saw"}, {"wrapper", name}, {"endpoint", ctx.endpoint()}, {"what", what}});
      };
      micro::result<micro::raw_message> out = micro::errors::internal_server_error("test.server", "unset");
      try {
        out = next(inner, in);
      } catch (const micro::error& e) {
        seen(e.detail);
        throw;
      } catch (const std::exception& e) {
        seen(e.what());
        throw;
      }
      if (out) {
        auto& wrapped = out->metadata["x-wrapped"];
        if (wrapped.empty())
          wrapped = inner.metadata()["x-trail"];
        wrapped += ",out:" + name;
      }
      return out;
    };
  };
}

// TEST_WRAPPERS' auth wrapper: 401 for a request carrying metadata `deny`.
micro::raw_handler deny_wrapper(micro::raw_handler next) {
  return [next = std::move(next)](const micro::context& ctx,
                                  const micro::raw_message& in) -> micro::result<micro::raw_message> {
    if (ctx.get("deny"))
      return micro::errors::unauthorized("test.auth", "denied by the auth wrapper");
    return next(ctx, in);
  };
}

}  // namespace

int main(int argc, char** argv) {
  if (auto nofile = env_number("TEST_NOFILE", 0); nofile > 0) {
    rlimit rl{};
    ::getrlimit(RLIMIT_NOFILE, &rl);
    rl.rlim_cur = static_cast<rlim_t>(nofile);
    if (::setrlimit(RLIMIT_NOFILE, &rl) != 0) {
      std::cerr << "cannot lower RLIMIT_NOFILE to " << nofile << "\n";
      return 2;
    }
  }
  micro::service svc{micro::options{}.with_name("test")};
  svc.init(argc, argv);
  journal log;
  std::mutex stdout_mutex;
  auto& srv = svc.server();
  const auto delay = milliseconds{env_number("TEST_DELAY_MS", 0)};
  const bool fail = env_number("TEST_FAIL", 0) != 0;
  auto slow_down = [delay] {
    if (delay.count() > 0)
      std::this_thread::sleep_for(delay);
  };
  if (env_number("TEST_WRAPPERS", 0) != 0) {
    srv.wrap(tracing_wrapper("outer", log));
    srv.wrap(deny_wrapper);
    srv.wrap(tracing_wrapper("inner", log));
  }
  const auto idempotent = micro::endpoint_options{}.with_idempotent();

  srv.handle(
      "Test.Echo",
      [&](const micro::context& ctx, const greeter::Request& req, greeter::Response& rsp) {
        slow_down();
        log.handler_ran(ctx);
        rsp.set_msg("Hello " + req.name());
      },
      idempotent);
  srv.handle("Test.Sleep", [&](const micro::context& ctx, const json& req, json& rsp) {
    log.handler_ran(ctx);
    auto ms = req.value("ms", 0);
    auto remaining = ctx.has_deadline() ? duration_cast<milliseconds>(ctx.remaining()).count() : -1;
    {
      // Tells the test the call is in flight without needing a free handler slot to ask.
      std::lock_guard<std::mutex> guard{stdout_mutex};
      std::cout << "sleeping " << ms << std::endl;
    }
    std::this_thread::sleep_for(milliseconds{ms});
    rsp = {{"slept_ms", ms}, {"remaining_ms", remaining}};
  });
  srv.handle("Test.Throw", [&](const micro::context& ctx, const json&, json&) {
    log.handler_ran(ctx);
    throw std::runtime_error("boom");
  });
  srv.handle("Test.Fail", [&](const micro::context& ctx, const json&, json&) {
    log.handler_ran(ctx);
    throw micro::errors::conflict("test.server", "already exists");
  });
  srv.handle("Test.Metadata", [&](const micro::context& ctx, const json&, json& rsp) {
    log.handler_ran(ctx);
    rsp = ctx.metadata();
  });
  srv.handle("Test.Chain", [&](const micro::context& ctx, const json& req, json& rsp) {
    log.handler_ran(ctx);
    if (auto delay = req.value("delay_ms", 0); delay > 0)
      std::this_thread::sleep_for(milliseconds{delay});
    micro::call_options opts;
    if (auto t = req.value("timeout_ms", 0); t > 0)
      opts.with_timeout(milliseconds{t});
    auto started = steady_clock::now();
    auto out = svc.client().call<json>(ctx, req.at("service").get<std::string>(),
                                       req.at("endpoint").get<std::string>(), req.value("body", json::object()),
                                       opts);
    auto elapsed = duration_cast<milliseconds>(steady_clock::now() - started).count();
    log.add({{"event", "chain"},
             {"tag", req.value("tag", "")},
             {"code", out ? 0 : out.error().code},
             {"detail", out ? "" : out.error().detail},
             {"elapsed_ms", elapsed}});
    if (!out)
      throw out.error();
    rsp = {{"reply", *out}};
  });
  srv.handle(
      "Test.Count",
      [&](const micro::context&, const json&, json& rsp) {
        std::lock_guard<std::mutex> guard{log.mutex};
        rsp = {{"count", log.runs}};
      },
      idempotent);
  srv.handle("Test.Log", [&](const micro::context&, const json&, json& rsp) {
    std::lock_guard<std::mutex> guard{log.mutex};
    rsp = log.events;
  });
  srv.handle(
      "Test.Whoami",
      [&](const micro::context&, const json&, json& rsp) {
        slow_down();
        if (fail)
          throw micro::errors::internal_server_error("test.server", "failing on purpose (TEST_FAIL)");
        rsp = {{"node", svc.node_id()}, {"address", svc.address()}};
      },
      idempotent);

  srv.handle(
      "Test.Inline",
      [](const micro::context&, const json& req, json& rsp) {
        if (req.value("name", "") == "boom")
          throw std::runtime_error("inline boom");
        rsp = json::object();
      },
      micro::endpoint_options{}.with_inline());

  if (env_number("TEST_PUBSUB_STREAM", 0) != 0) {
    srv.handle_stream("Test.Stream", [&](const micro::context& ctx, micro::server_stream<json, json>& s) {
      json in;
      while (s.recv(in))
        if (!s.send(json{{"echo", in}, {"node", svc.node_id()}, {"metadata", ctx.metadata()}}))
          return;
    });
    srv.subscribe("test.events", [&](const micro::context& ctx, const json& body) {
      std::lock_guard<std::mutex> guard{log.mutex};
      log.events.push_back({{"event", "publication"}, {"body", body}, {"metadata", ctx.metadata()}});
    });
  }

  if (auto st = svc.start(); !st) {
    std::cerr << st.error().to_json() << std::endl;
    return 1;
  }
  // The node's metadata follows the address as in a static registry entry (";transport=tcp;...",
  // ";tls=true").
  std::string meta;
  for (auto& [k, v] : svc.node_metadata())
    if (k.rfind("transport", 0) == 0 || k == "tls") meta += ";" + k + "=" + v;
  std::cout << "listening " << svc.address() << meta << std::endl;
  return svc.run();  // start() again is a no-op; waits for SIGINT/SIGTERM, then drains
}
