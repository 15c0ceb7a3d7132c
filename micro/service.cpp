#include "micro/service.hpp"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <poll.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <random>
#include <thread>

#include <nlohmann/json.hpp>

#include "actors/atoms.hpp"
#include "actors/broker_actor.hpp"
#include "actors/client_actor.hpp"
#include "actors/node_actor.hpp"
#include "actors/service_actor.hpp"
#include "actors/transport_server.hpp"
#include "broker/broker.hpp"
#include "caf/all.hpp"
#include "metrics/registry.hpp"
#include "metrics/rpc.hpp"
#include "micro/detail/client_impl.hpp"
#include "micro/detail/endpoint_stats.hpp"
#include "micro/detail/http_listener.hpp"
#include "micro/detail/pubsub_impl.hpp"
#include "micro/detail/runtime_access.hpp"
#include "micro/detail/server_impl.hpp"
#include "micro/detail/stream_impl.hpp"
#include "micro/log.hpp"
#include "micro/trace.hpp"
#include "transport/tls.hpp"

namespace micro {

namespace {

constexpr const char* service_error_id = "micro.service";

// Signals reach run() through a pipe: the only async-signal-safe way to wake a waiting thread.
std::atomic<int> signal_pipe_write{-1};

extern "C" void on_stop_signal(int) {
  int fd = signal_pipe_write.load();
  if (fd >= 0) {
    char byte = 1;
    auto ignored = ::write(fd, &byte, 1);
    static_cast<void>(ignored);
  }
}

std::string random_id() {
  std::random_device rd;
  std::uniform_int_distribution<uint32_t> dist;
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%08x-%04x-%04x-%08x", dist(rd), dist(rd) & 0xffff, dist(rd) & 0xffff, dist(rd));
  return buf;
}

std::string host_name() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof(buf) - 1) != 0)
    return "unknown";
  return buf;
}

// For a node bound to all interfaces: the first IPv4 address of an interface that is up and
// not loopback; loopback if there is none. (mDNS will refine this with what Avahi resolves.)
std::string primary_ipv4() {
  std::string found = "127.0.0.1";
  ifaddrs* list = nullptr;
  if (::getifaddrs(&list) != 0)
    return found;
  for (auto* it = list; it != nullptr; it = it->ifa_next) {
    if (it->ifa_addr == nullptr || it->ifa_addr->sa_family != AF_INET)
      continue;
    if ((it->ifa_flags & IFF_UP) == 0 || (it->ifa_flags & IFF_LOOPBACK) != 0)
      continue;
    char text[INET_ADDRSTRLEN];
    auto* in = reinterpret_cast<sockaddr_in*>(it->ifa_addr);
    if (::inet_ntop(AF_INET, &in->sin_addr, text, sizeof(text)) != nullptr) {
      found = text;
      break;
    }
  }
  ::freeifaddrs(list);
  return found;
}

uint64_t resident_bytes() {
  std::ifstream statm{"/proc/self/statm"};
  uint64_t pages = 0, resident = 0;
  statm >> pages >> resident;
  return resident * static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
}

// A raw handler as the service actor runs it: wire request in, wire response out.
// Every response names the node that produced it, so callers can see the load balancing.
constexpr const char* node_metadata_key = "micro-node";

actors::endpoint_handler to_actor_handler(const std::string& service_name, const std::string& node_id,
                                          raw_handler fn) {
  actors::endpoint_handler h;
  h.run = [service_name, node_id, fn = std::move(fn)](const actors::request& req,
                                             actors::clock::time_point deadline) {
    context ctx{service_name, req.endpoint, req.metadata, deadline};
    start_span(ctx.metadata());  // this handler is the hop's span; calls made with ctx continue it
    raw_message in{req.content_type, req.body, req.accept, {}};
    result<raw_message> out = errors::internal_server_error(service_error_id, "no result");
    try {
      out = fn(ctx, in);
    } catch (const error& e) {
      out = e;  // a handler's own coded error
    } catch (const std::exception& e) {
      // As the service actor would answer it (same id), but here the failure is logged with its trace.
      out = errors::internal_server_error("micro.server", e.what());
    } catch (...) {
      out = errors::internal_server_error("micro.server", "handler threw a non-standard exception");
    }
    actors::response rsp;
    if (!out) {
      rsp.code = out.error().code;
      rsp.error_id = out.error().id;
      rsp.detail = out.error().detail;
      if (rsp.code >= 500)  // the server's own failures; a 4xx is the caller's
        log_event(log_level::error, "handler failed", ctx,
                  {{"code", std::to_string(rsp.code)}, {"id", rsp.error_id}, {"detail", rsp.detail}});
      return rsp;
    }
    rsp.content_type = std::move(out->content_type);
    rsp.body = std::move(out->body);
    rsp.metadata = std::move(out->metadata);
    rsp.metadata[node_metadata_key] = node_id;
    rsp.metadata[traceparent_key] = ctx.metadata()[traceparent_key];  // the caller learns the trace (micro call -v)
    return rsp;
  };
  return h;
}

// Per topic: what this process's subscriptions delivered, dropped (full) and have queued.
nlohmann::json subscription_stats() {
  auto out = nlohmann::json::object();
  for (auto& [topic, c] : actors::subscription_counters())
    out[topic] = {{"delivered", c->delivered.load()}, {"dropped", c->dropped.load()}, {"queued", c->queued.load()}};
  return out;
}

// Batches of publications this process's broker sent and received, by carrier (a byte
// transport's connection, or CAF's BASP).
nlohmann::json carrier_stats() {
  auto& c = actors::publication_carriers();
  return {{"sent", {{"transport", c.sent_transport.load()}, {"caf", c.sent_caf.load()}}},
          {"received", {{"transport", c.received_transport.load()}, {"caf", c.received_caf.load()}}}};
}

// Per topic, at scrape time: what this process's subscriptions delivered, dropped and queue.
void add_broker_collector() {
  static std::once_flag once;
  std::call_once(once, [] {
    metrics::registry::global().collect("broker.subscriptions", [](std::vector<metrics::family_snapshot>& out) {
      metrics::family_snapshot delivered{"micro_broker_deliveries_total",
                                         "Publications handed to this process's subscribers, per topic.",
                                         metrics::kind::counter, {}};
      metrics::family_snapshot dropped{"micro_broker_drops_total",
                                       "Publications refused because a subscription was full, per topic.",
                                       metrics::kind::counter, {}};
      metrics::family_snapshot queued{"micro_broker_queue_depth",
                                      "Publications queued for this process's subscribers, per topic.",
                                      metrics::kind::gauge, {}};
      for (auto& [topic, c] : actors::subscription_counters()) {
        metrics::labels l{{"topic", topic}};
        delivered.samples.push_back({l, static_cast<double>(c->delivered.load())});
        dropped.samples.push_back({l, static_cast<double>(c->dropped.load())});
        queued.samples.push_back({l, static_cast<double>(c->queued.load())});
      }
      out.push_back(std::move(delivered));
      out.push_back(std::move(dropped));
      out.push_back(std::move(queued));
      auto& c = actors::publication_carriers();
      out.push_back({"micro_broker_batches_total",
                     "Batches of publications this process's broker sent and received, by carrier (transport: "
                     "the node's tcp/memory connection; caf: BASP).",
                     metrics::kind::counter,
                     {{{{"direction", "sent"}, {"carrier", "transport"}}, static_cast<double>(c.sent_transport.load())},
                      {{{"direction", "sent"}, {"carrier", "caf"}}, static_cast<double>(c.sent_caf.load())},
                      {{{"direction", "received"}, {"carrier", "transport"}}, static_cast<double>(c.received_transport.load())},
                      {{{"direction", "received"}, {"carrier", "caf"}}, static_cast<double>(c.received_caf.load())}}});
    });
  });
}

// Per service, at scrape time: streams open and accepted, requests waiting for a slot.
void add_service_collector(const std::string& key, const std::string& name,
                           const std::shared_ptr<actors::service_counters>& counters) {
  std::weak_ptr<actors::service_counters> weak = counters;
  metrics::registry::global().collect(key, [weak, name](std::vector<metrics::family_snapshot>& out) {
    auto c = weak.lock();
    if (!c)
      return;
    metrics::labels l{{"service", name}};
    out.push_back({"micro_server_streams_open", "Streams open (handlers running).", metrics::kind::gauge,
                   {{l, static_cast<double>(c->streams_open.load())}}});
    out.push_back({"micro_server_streams_total", "Streams accepted since the service started.", metrics::kind::counter,
                   {{l, static_cast<double>(c->streams_total.load())}}});
    out.push_back({"micro_server_requests_queued", "Requests waiting for a free handler slot.", metrics::kind::gauge,
                   {{l, static_cast<double>(c->queued.load())}}});
  });
}

raw_message json_reply(const nlohmann::json& j) {
  return raw_message{"application/json", j.dump(), {}, {}};
}

}  // namespace

struct service::impl {
  // First member, so destroyed last: destroying the last runtime reference waits for every
  // actor, including user actors that `srv` still references.
  std::shared_ptr<actors::runtime> rt;
  options opts;
  micro::server srv;
  std::unique_ptr<micro::client> cli;
  caf::actor node;
  caf::actor service_actor;
  std::unique_ptr<actors::transport_server> transport_server;  // MICRO_TRANSPORT other than caf
  std::shared_ptr<actors::service_counters> counters;
  std::shared_ptr<detail::endpoint_stats_table> endpoint_stats = std::make_shared<detail::endpoint_stats_table>();
  registry::service registered;
  std::string address;
  std::string node_id;
  std::vector<std::unique_ptr<broker::subscription>> subscriptions;  // at the broker, while running
  bool running = false;
  int wake_pipe[2] = {-1, -1};
  http::router http_routes;            // what the HTTP listener serves besides /health and /ready
  detail::http_listener http;          // MICRO_HTTP_ADDRESS; off when empty

  micro::client& client() {
    if (!cli)
      cli = std::make_unique<micro::client>(opts);
    return *cli;
  }

  void add_debug_endpoints() {
    auto counters_ptr = counters;
    auto per_endpoint = endpoint_stats;
    // "ok" while the registry can be reached; "degraded" (still serving, but peers may stop
    // finding this node when its registration lapses) with the registry's last error otherwise.
    auto reg = client().registry();
    srv.handle_raw(registry::endpoint{"Debug.Health", "", "", {}},
                   [reg](const context&, const raw_message&) -> result<raw_message> {
                     auto st = reg->health();
                     nlohmann::json health{{"status", st.ok() ? "ok" : "degraded"}, {"registry", reg->name()}};
                     if (!st.ok())
                       health["registry_error"] = st.message;
                     return json_reply(health);
                   });
    // Where this node serves /metrics, /health and /ready (empty: no HTTP listener).
    auto http_address = http.address();
    srv.handle_raw(registry::endpoint{"Debug.Stats", "", "", {}},
                   [counters_ptr, http_address, per_endpoint](const context&, const raw_message&) -> result<raw_message> {
                     using namespace std::chrono;
                     auto started = counters_ptr->started;
                     return json_reply({
                       {"started", duration_cast<seconds>(started.time_since_epoch()).count()},
                       {"uptime", duration_cast<seconds>(system_clock::now() - started).count()},
                       {"requests", counters_ptr->requests.load()},
                       {"errors", counters_ptr->errors.load()},
                       {"in_flight", counters_ptr->in_flight.load()},
                       {"streams_open", counters_ptr->streams_open.load()},
                       {"streams_total", counters_ptr->streams_total.load()},
                       {"stream_actors", live_streams()},
                       {"memory", resident_bytes()},
                       {"subscriptions", subscription_stats()},
                       {"publication_batches", carrier_stats()},
                       {"http", http_address},
                       {"endpoints", per_endpoint->to_json()},  // the dashboard's charts (web/)
                     });
                   });
  }

  // Hands the server's subscriptions to the broker backend and advertises them with the
  // endpoints (micro/pubsub.cpp).
  status start_subscriptions() {
    auto& internals = srv.internals();
    std::vector<micro::server::impl::subscription> subs;
    {
      std::lock_guard<std::mutex> guard{internals.mutex};
      subs = internals.subscriptions;
    }
    auto backend = client().internals().pubsub.backend();
    if (!backend)
      return backend.error();
    auto made = detail::start_subscriptions(**backend, subs, opts.name, registered);
    if (!made)
      return made.error();
    subscriptions = std::move(*made);
    return {};
  }

  status do_register() {
    auto reg = client().registry();
    auto st = reg->register_service(registered, registry::register_options{opts.register_ttl});
    if (!st.ok())
      return make_error(service_error_id, 503, "cannot register with registry " + reg->name() + ": " + st.message);
    return {};
  }
};

service::service(options opts) : impl_(std::make_unique<impl>()) {
  impl_->opts = std::move(opts);
  impl_->counters = std::make_shared<actors::service_counters>();
}

service::~service() {
  stop();
  for (int fd : impl_->wake_pipe)
    if (fd >= 0)
      ::close(fd);
}

void service::init(int argc, const char* const* argv) {
  auto st = apply_environment(impl_->opts);
  if (!st) {
    std::cerr << st.error().to_json() << "\n";
    std::exit(2);
  }
  auto flags = apply_flags(impl_->opts, argc, argv);
  if (!flags) {
    std::cerr << flags.error().to_json() << "\n";
    std::exit(2);
  }
  if (flags->help_requested) {
    std::cout << "usage: " << (argc > 0 ? argv[0] : "service") << " [options]\n" << help_text(impl_->opts);
    std::exit(0);
  }
}

micro::server& service::server() { return impl_->srv; }
micro::client& service::client() { return impl_->client(); }
const options& service::opts() const { return impl_->opts; }
std::string service::address() const { return impl_->address; }
std::string service::node_id() const { return impl_->node_id; }
std::string service::http_address() const { return impl_->http.address(); }
http::router& service::http_routes() { return impl_->http_routes; }
micro::metadata service::node_metadata() const {
  return impl_->registered.nodes.empty() ? impl_->opts.metadata : impl_->registered.nodes.front().meta;
}

status service::start() {
  auto& d = *impl_;
  if (d.running)
    return {};
  if (auto st = apply_environment(d.opts); !st)  // done by init() already, if it was called
    return st;
  if (d.opts.name.empty())
    return errors::bad_request(service_error_id, "a service needs a name (options::name, MICRO_SERVER_NAME or --server_name)");
  std::string host;
  uint16_t port = 0;
  if (!actors::split_host_port(d.opts.server_address, host, port))
    return errors::bad_request(service_error_id, "invalid server address \"" + d.opts.server_address + "\"");
  if (!d.opts.tls_ca.empty() || !d.opts.tls_cert.empty()) {
    if (d.opts.tls_cert.empty() || d.opts.tls_key.empty())
      return errors::bad_request(service_error_id, "serving over TLS needs a certificate and its key "
                                                   "(MICRO_TLS_CERT, MICRO_TLS_KEY)");
    // Every transport the node listens on serves over TLS: files that cannot be used stop it here.
    if (auto made = transport::make_native_tls_contexts({d.opts.tls_cert, d.opts.tls_key, d.opts.tls_ca, d.opts.tls_mutual});
        !made)
      return errors::bad_request(service_error_id, made.st.message);
  }
  if (auto st = d.client().configured(); !st)  // an unknown or misconfigured registry
    return st;
  // Live (/health) from here on; ready (/ready) once registered.
  if (auto st = d.http.start(d.opts.http_address, d.http_routes); !st)
    return st;
  d.rt = detail::acquire_runtime(d.opts);
  auto& sys = d.rt->system();

  d.node_id = d.opts.name + "-" + random_id();
  d.add_debug_endpoints();
  actors::service_spec spec;
  spec.name = d.opts.name;
  spec.max_concurrency = d.opts.max_concurrency;
  spec.max_streams = d.opts.max_streams;
  spec.stream_window = d.opts.stream_window;
  spec.counters = d.counters;
  spec.unknown_calls = metrics::server_calls(d.opts.name, "(unknown)");
  {
    auto& internals = d.srv.internals();
    std::lock_guard<std::mutex> guard{internals.mutex};
    internals.started = true;  // server::wrap() is refused from now on
    for (auto& [name, entry] : internals.endpoints) {
      if (entry.async_stream_fn) {
        spec.streams.emplace(name, detail::make_async_stream_opener(entry.async_stream_fn));
        continue;
      }
      if (entry.stream_fn) {
        spec.streams.emplace(name, detail::make_stream_runner(entry.stream_fn));
        continue;
      }
      bool builtin = name == "Debug.Health" || name == "Debug.Stats";
      // The server's wrappers go around user endpoints served by functions. Not around the
      // built-in Debug.* ones: a health check must not depend on auth or logging middleware (a
      // wrapper that rejects a call without credentials would make a live node look dead). Nor
      // around user actors (handle_with_actor), which get the wire request themselves.
      auto h = entry.actor ? actors::endpoint_handler{{}, entry.actor, false}
                           : to_actor_handler(d.opts.name, d.node_id,
                                              builtin ? entry.fn
                                                      : detail::timed(wrap_handler(entry.fn, internals.wrappers),
                                                                      d.endpoint_stats->of(name)));
      h.run_on_actor = builtin || entry.run_inline;  // ours never block; inline ones say they do not
      h.calls = metrics::server_calls(d.opts.name, name);
      spec.endpoints.emplace(name, std::move(h));
    }
  }
  auto service = actors::spawn_service_actor(sys, std::move(spec));
  d.service_actor = service.actor;
  auto broker = d.rt->broker_actor();
  d.node = actors::spawn_node_actor(sys, broker);
  caf::anon_send(d.node, actors::add_atom::value, d.opts.name, d.service_actor, service.gate);

  auto published = actors::publish_node(sys, d.node, host, port);
  if (!published.ok()) {
    caf::anon_send_exit(d.node, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(d.service_actor, caf::exit_reason::user_shutdown);
    return errors::service_unavailable(service_error_id, "cannot listen on " + d.opts.server_address + ": " + published.error);
  }
  if (!d.opts.advertise.empty())
    d.address = d.opts.advertise;
  else if ((host.empty() || host == "0.0.0.0") && d.client().registry()->resolves_unspecified_host())
    d.address = "0.0.0.0:" + std::to_string(published.port);  // mdns: what Avahi resolves per interface
  else if (host.empty() || host == "0.0.0.0")
    d.address = primary_ipv4() + ":" + std::to_string(published.port);
  else
    d.address = host + ":" + std::to_string(published.port);

  auto node_metadata = d.opts.metadata;
  // Which machine a node runs on, for `micro services` and operators: node ids say nothing
  // about it once a cluster spans hosts. A value given in the options wins.
  node_metadata.emplace("host", host_name());
  if (!d.opts.tls_ca.empty())
    node_metadata[actors::tls_metadata_key] = "true";  // callers without TLS say why at once
  if (d.opts.transport != "caf") {
    // Unary calls, streams and publications over micro's own transport; CAF stays published for
    // peers that reach this node over it (a caller or publisher of an older micro, the caf transport).
    // tcp: a free port on the node's host; memory: a fresh name (two services, two listeners).
    auto listen_at = d.opts.transport == "tcp" ? (host.empty() ? "0.0.0.0" : host) + ":0" : std::string{};
    auto started = actors::transport_server::start(sys, d.opts.transport, listen_at, d.rt->config().byte_transports);
    if (!started) {
      caf::anon_send_exit(d.node, caf::exit_reason::user_shutdown);
      caf::anon_send_exit(d.service_actor, caf::exit_reason::user_shutdown);
      actors::unpublish_node(sys, d.node);
      return errors::service_unavailable(service_error_id, "cannot listen on transport " + d.opts.transport + ": "
                                                             + started.st.message);
    }
    d.transport_server = std::move(started.value);
    d.transport_server->add(d.opts.name, service.actor, service.gate);
    d.transport_server->set_broker(broker);  // publications sent to this node over its transport
    auto bound = d.transport_server->address();
    node_metadata[actors::transport_metadata_key] = d.opts.transport;
    // The port only: the host is the node's (mdns resolves 0.0.0.0 per interface); memory: the name.
    node_metadata[actors::transport_address_metadata_key] =
      d.opts.transport == "tcp" ? bound.substr(bound.rfind(':') + 1) : bound;
  }
  d.registered = registry::service{};
  d.registered.name = d.opts.name;
  d.registered.version = d.opts.version;
  d.registered.endpoints = d.srv.endpoints();
  d.registered.nodes.push_back(registry::node{d.node_id, d.address, node_metadata});
  // Subscriptions go to the broker before the registry advertises them, so a publisher that
  // finds them can deliver at once.
  caf::anon_send(broker, actors::local_node_atom::value, d.node_id);
  if (auto st = d.start_subscriptions(); !st)
    return st;
  d.running = true;
  if (metrics::enabled()) {
    add_broker_collector();
    add_service_collector("service." + d.node_id, d.opts.name, d.counters);
  }
  auto registered = d.do_register();
  d.http.set_ready(static_cast<bool>(registered));
  return registered;
}

status service::stop() {
  auto& d = *impl_;
  if (!d.running)
    return {};
  d.running = false;
  d.http.set_ready(false);  // probes see "not ready" before the node deregisters and drains
  status outcome;
  auto reg = d.client().registry();
  auto st = reg->deregister_service(d.registered);
  if (!st.ok())
    outcome = make_error(service_error_id, 503, "cannot deregister from " + reg->name() + ": " + st.message);
  auto& sys = d.rt->system();
  for (auto& sub : d.subscriptions)
    sub->unsubscribe();
  d.subscriptions.clear();
  {
    // Refuse new calls and wait (bounded) for the running ones.
    caf::scoped_actor self{sys};
    self->request(d.service_actor, caf::timespan{d.opts.drain_timeout}, actors::drain_atom::value)
      .receive([](bool) {},
               [&](caf::error&) {
                 outcome = errors::timeout(service_error_id, "in-flight calls did not finish within the drain timeout");
               });
  }
  d.transport_server.reset();
  actors::unpublish_node(sys, d.node);
  caf::anon_send_exit(d.node, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(d.service_actor, caf::exit_reason::user_shutdown);
  d.node = nullptr;
  d.service_actor = nullptr;
  metrics::registry::global().collect("service." + d.node_id, {});
  d.http.stop();
  return outcome;
}

void service::shutdown() noexcept {
  if (impl_->wake_pipe[1] >= 0) {
    char byte = 1;
    auto ignored = ::write(impl_->wake_pipe[1], &byte, 1);
    static_cast<void>(ignored);
  }
}

int service::run() {
  auto& d = *impl_;
  if (d.wake_pipe[0] < 0 && ::pipe(d.wake_pipe) != 0) {
    std::cerr << "cannot create the shutdown pipe\n";
    return 1;
  }
  signal_pipe_write.store(d.wake_pipe[1]);
  struct sigaction sa{};
  sa.sa_handler = on_stop_signal;
  ::sigemptyset(&sa.sa_mask);
  ::sigaction(SIGINT, &sa, nullptr);
  ::sigaction(SIGTERM, &sa, nullptr);

  auto st = start();
  if (!st) {
    std::cerr << st.error().to_json() << "\n";
    return 1;
  }
  log_event(log_level::info, "service " + d.opts.name + " (" + d.node_id + ") listening on " + d.address + ", registry "
                               + d.client().registry()->name());
  if (auto http = d.http.address(); !http.empty())
    log_event(log_level::info, "service " + d.opts.name + " http listening on " + http + " (/health, /ready, /metrics)");
  // Wait for a stop request; re-register every interval so TTL-based registries keep us.
  pollfd pfd{d.wake_pipe[0], POLLIN, 0};
  auto interval_ms = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(d.opts.register_interval).count());
  for (;;) {
    int n = ::poll(&pfd, 1, interval_ms);
    if (n > 0)
      break;
    if (n == 0) {
      if (auto rs = d.do_register(); !rs)
        log_event(log_level::error, rs.error().to_json());
    }
  }
  signal_pipe_write.store(-1);
  // A drain that hits its bound is reported but is still a clean, requested shutdown.
  if (auto stopped = stop(); !stopped)
    log_event(log_level::error, stopped.error().to_json());
  log_event(log_level::info, "service " + d.opts.name + " stopped");
  return 0;
}

}  // namespace micro
