// bench-rpc-client MODE PORT INFLIGHT PAYLOAD CALLS: measures unary echo calls against
// bench-echo-server on 127.0.0.1:PORT and prints one JSON line. MODE micro uses micro's client
// (blocking API for 1 in flight, the actor API beyond); MODE caf uses raw CAF requests
// (scoped_actor for 1 in flight, an event-based actor beyond) on the same actor system config.
// MODE micro-tcp is micro's client against a server started with MICRO_TRANSPORT=tcp, PORT being
// its transport port: the node is found (static registry) with transport=tcp in its metadata.
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "bench/bench_config.hpp"
#include "bench/stats.hpp"
#include "caf/all.hpp"
#include "caf/io/all.hpp"
#include "micro/actor_api.hpp"
#include "micro/micro.hpp"

namespace {

using steady = std::chrono::steady_clock;
using done_atom = caf::atom_constant<caf::atom("b_done")>;

struct run_spec {
  std::size_t inflight = 1;
  std::size_t calls = 10000;
  std::string payload;
};

int64_t since(steady::time_point t0) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(steady::now() - t0).count();
}

// Keeps `spec.inflight` calls going until `spec.calls` have completed; `issue(self, on_done)`
// starts one call and must run on_done(ok) inside the actor when it completes.
template <class Issue>
caf::behavior pipelined(caf::event_based_actor* self, run_spec spec, std::vector<int64_t>* latencies,
                        caf::actor waiter, Issue issue) {
  auto started = std::make_shared<std::size_t>(0);
  auto finished = std::make_shared<std::size_t>(0);
  auto failed = std::make_shared<std::size_t>(0);
  auto launch = std::make_shared<std::function<void()>>();
  *launch = [=] {
    ++*started;
    auto t0 = steady::now();
    issue(self, [=](bool ok) {
      latencies->push_back(since(t0));
      if (!ok)
        ++*failed;
      if (++*finished == spec.calls) {
        self->send(waiter, done_atom::value, static_cast<uint64_t>(*failed));
        self->quit();
        return;
      }
      if (*started < spec.calls)
        (*launch)();
    });
  };
  for (std::size_t i = 0; i < spec.inflight && i < spec.calls; ++i)
    (*launch)();
  return {[](caf::unit_t) {}};
}

std::size_t wait_done(caf::scoped_actor& self) {
  uint64_t failed = 0;
  self->receive([&](done_atom, uint64_t n) { failed = n; });
  return static_cast<std::size_t>(failed);
}

std::size_t run_micro(micro::client& client, const std::string& address, const run_spec& spec,
                      std::vector<int64_t>& latencies) {
  auto opts = micro::call_options{}.with_content_type("application/octet-stream");
  // Explicit addresses are CAF nodes; a tcp node is reached through its registry entry.
  if (!address.empty())
    opts.with_address(address);
  // BENCH_ENDPOINT=Bench.EchoInline measures the same echo run inline on the service actor.
  const char* chosen = std::getenv("BENCH_ENDPOINT");
  const std::string endpoint = chosen != nullptr && *chosen != '\0' ? chosen : "Bench.Echo";
  if (spec.inflight == 1) {
    std::size_t failed = 0;
    for (std::size_t i = 0; i < spec.calls; ++i) {
      auto t0 = steady::now();
      auto rsp = client.call<std::string>("bench", endpoint, spec.payload, opts);
      latencies.push_back(since(t0));
      failed += rsp ? 0 : 1;
    }
    return failed;
  }
  auto& sys = client.internals().rt->system();
  caf::scoped_actor self{sys};
  sys.spawn(pipelined<std::function<void(caf::event_based_actor*, std::function<void(bool)>)>>, spec,
            &latencies, caf::actor{self},
            [&client, opts, &spec, endpoint](caf::event_based_actor* me, std::function<void(bool)> done) {
              micro::call_async<std::string>(me, client, micro::context{}, "bench", endpoint, spec.payload,
                                             [done](micro::result<std::string> r) { done(r.ok()); }, opts);
            });
  return wait_done(self);
}

std::size_t run_caf(caf::actor_system& sys, const caf::actor& server, const run_spec& spec,
                    std::vector<int64_t>& latencies) {
  const auto timeout = std::chrono::seconds{5};
  if (spec.inflight == 1) {
    caf::scoped_actor self{sys};
    std::size_t failed = 0;
    for (std::size_t i = 0; i < spec.calls; ++i) {
      auto t0 = steady::now();
      self->request(server, timeout, spec.payload)
        .receive([](std::string&) {}, [&](caf::error&) { ++failed; });
      latencies.push_back(since(t0));
    }
    return failed;
  }
  caf::scoped_actor self{sys};
  sys.spawn(pipelined<std::function<void(caf::event_based_actor*, std::function<void(bool)>)>>, spec,
            &latencies, caf::actor{self},
            [server, timeout, &spec](caf::event_based_actor* me, std::function<void(bool)> done) {
              me->request(server, timeout, spec.payload)
                .then([done](std::string&) { done(true); }, [done](caf::error&) { done(false); });
            });
  return wait_done(self);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 6) {
    std::cerr << "usage: bench-rpc-client micro|micro-tcp|caf PORT INFLIGHT PAYLOAD_BYTES CALLS\n";
    return 2;
  }
  std::string mode = argv[1];
  std::string address = std::string{"127.0.0.1:"} + argv[2];
  run_spec spec;
  spec.inflight = std::stoul(argv[3]);
  spec.payload.assign(std::stoul(argv[4]), 'x');
  spec.calls = std::stoul(argv[5]);
  auto opts = bench::options_from_environment();
  opts.registry = "memory";
  if (mode == "micro-tcp") {
    opts.with_registry("static", "bench=" + address + ";transport=tcp;transport_address=" + argv[2]);
    address.clear();
  }
  micro::client client{opts};
  auto& sys = client.internals().rt->system();

  caf::actor server;
  if (mode == "caf") {
    auto remote = sys.middleman().remote_actor("127.0.0.1", static_cast<uint16_t>(std::stoul(argv[2])));
    if (!remote) {
      std::cerr << sys.render(remote.error()) << "\n";
      return 1;
    }
    server = *remote;
  }
  auto run = [&](const run_spec& s, std::vector<int64_t>& lat) {
    return mode == "caf" ? run_caf(sys, server, s, lat) : run_micro(client, address, s, lat);
  };
  // Warm-up: connection set-up, thread start, allocator.
  run_spec warm = spec;
  warm.calls = std::max<std::size_t>(spec.calls / 10, spec.inflight);
  std::vector<int64_t> ignored;
  run(warm, ignored);

  std::vector<int64_t> latencies;
  latencies.reserve(spec.calls);
  auto t0 = steady::now();
  auto failed = run(spec, latencies);
  double elapsed = static_cast<double>(since(t0)) / 1e9;
  auto s = bench::summarize(std::move(latencies), elapsed);
  bench::print_json(std::cout, {mode, spec.inflight, spec.payload.size(), spec.calls, failed}, s);
  server = nullptr;
  return failed == 0 ? 0 : 1;
}
