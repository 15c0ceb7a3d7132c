#include "micro/client.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>
#include <condition_variable>
#include <mutex>

#include "actors/atoms.hpp"
#include "actors/client_actor.hpp"
#include "actors/direct_calls.hpp"
#include "actors/registry_watcher.hpp"
#include "caf/all.hpp"
#include "micro/detail/client_impl.hpp"
#include "micro/detail/runtime_access.hpp"
#include "micro/trace.hpp"
#include "registry/unavailable.hpp"

namespace micro {

namespace {

constexpr const char* client_error_id = "micro.client";

// The blocking wait outlives the client actor's own timeout so that the actor, which knows
// why, is the one that reports the failure.
constexpr std::chrono::seconds wait_margin{2};

}  // namespace


client::impl::impl(options o, std::shared_ptr<registry::registry> r)
    : opts(std::move(o)), rt(detail::acquire_runtime(opts)), reg(std::move(r)),
      cache(std::make_shared<registry::cache>(reg->name())),
      watcher(actors::spawn_registry_watcher(rt->system(), reg, cache)) {}

client::impl::~impl() { caf::anon_send_exit(watcher, caf::exit_reason::user_shutdown); }

// Asynchronous publications still queued go out before the client goes away (bounded by the
// request timeout), as a process that publishes and exits expects.
client::~client() {
  if (impl_)
    flush_publications(impl_->opts.request_timeout);
}

namespace {

// Opens the registry the options name. Never throws: a registry that cannot be opened is the
// user's configuration, so it becomes a registry that answers every lookup with the reason, and
// each call reports it as a coded error.
std::shared_ptr<registry::registry> open_registry(const options& opts, status& setup) {
  auto reg = registry::make_registry(opts.registry, opts.registry_address);
  if (reg.ok())
    return reg.value;
  setup = make_error(client_error_id, reg.st.code == registry::errc::invalid_argument ? 400 : 503, reg.st.message);
  return registry::make_unavailable_registry(opts.registry, reg.st);
}

}  // namespace

client::client(options opts) : client(std::move(opts), nullptr) {}

client::client(options opts, std::shared_ptr<registry::registry> reg) {
  // The environment first (code < MICRO_* < flags), so it also chooses the registry.
  status setup = apply_environment(opts);
  if (!setup)
    reg = registry::make_unavailable_registry(
      opts.registry, registry::status{registry::errc::invalid_argument, setup.error().detail});
  else if (!reg)
    reg = open_registry(opts, setup);
  impl_ = std::make_unique<impl>(std::move(opts), std::move(reg));
  impl_->setup = std::move(setup);
}

status client::configured() const { return impl_->setup; }


const options& client::opts() const noexcept { return impl_->opts; }

std::shared_ptr<registry::registry> client::registry() const { return impl_->reg; }

namespace {

// The versions of `service` and their nodes that pass every filter; errors name the filters.
result<std::vector<registry::service>> filtered(const std::string& service,
                                                const registry::result<std::vector<registry::service>>& found,
                                                const std::vector<named_filter>& filters) {
  if (!found.ok()) {
    if (found.st.code == registry::errc::not_found)
      return errors::not_found(client_error_id, "service " + service + " not found (" + found.st.message + ")");
    if (found.st.code == registry::errc::invalid_argument)  // the registry's configuration
      return errors::bad_request(client_error_id, found.st.message);
    return errors::service_unavailable(client_error_id, found.st.message);
  }
  std::vector<registry::service> kept;
  std::size_t before = 0;
  for (auto& svc : found.value) {
    registry::service copy = svc;
    copy.nodes.clear();
    for (auto& node : svc.nodes) {
      ++before;
      bool pass = true;
      for (auto& f : filters)
        pass = pass && (!f.keep || f.keep(svc, node));
      if (pass)
        copy.nodes.push_back(node);
    }
    if (!copy.nodes.empty())
      kept.push_back(std::move(copy));
  }
  if (kept.empty()) {
    if (before == 0)
      return errors::service_unavailable(client_error_id, "service " + service + " has no nodes");
    std::string names;
    for (auto& f : filters)
      names += (names.empty() ? "" : ", ") + f.description;
    return errors::service_unavailable(client_error_id, "no node of service " + service + " passes the call's filters ("
                                                          + names + "; " + std::to_string(before) + " nodes before filtering)");
  }
  return kept;
}

// An endpoint is retried after delivery only if every version that may serve the call says it
// is idempotent.
bool idempotent_everywhere(const std::vector<registry::service>& versions, const std::string& endpoint) {
  for (auto& svc : versions) {
    auto e = std::find_if(svc.endpoints.begin(), svc.endpoints.end(),
                          [&](const registry::endpoint& x) { return x.name == endpoint; });
    if (e == svc.endpoints.end())
      return false;
    auto flag = e->meta.find(idempotent_key);
    if (flag == e->meta.end() || flag->second != "true")
      return false;
  }
  return !versions.empty();
}

failure_kind to_failure_kind(actors::attempt_failure k) {
  switch (k) {
    case actors::attempt_failure::not_delivered: return failure_kind::not_delivered;
    case actors::attempt_failure::refused: return failure_kind::refused;
    case actors::attempt_failure::node_lost: return failure_kind::node_lost;
    case actors::attempt_failure::timeout: return failure_kind::timeout;
    case actors::attempt_failure::handler_error: return failure_kind::handler_error;
  }
  return failure_kind::handler_error;
}

actors::strategy to_actor_strategy(strategy s) {
  switch (s) {
    case strategy::random: return actors::strategy::random;
    case strategy::roundrobin: return actors::strategy::roundrobin;
    case strategy::leastconn: return actors::strategy::leastconn;
    case strategy::latency: return actors::strategy::latency;
  }
  return actors::strategy::random;
}

// The client actor's retry rule for this call: the user's policy (or the default), told what
// the facade knows about the endpoint (the registry's word, or the caller's).
std::function<bool(const actors::failed_attempt&)> retry_rule(const call_options& opts, bool advertised_idempotent) {
  return [policy = opts.retry ? opts.retry : retry_policy{default_retry_policy},
          idempotent = advertised_idempotent || opts.idempotent,
          on_timeout = opts.retry_on_timeout](const actors::failed_attempt& a) {
    retry_info info;
    info.attempt = a.attempt;
    info.error = detail::to_error(*a.error);
    info.kind = to_failure_kind(a.kind);
    info.idempotent = idempotent;
    info.retry_on_timeout = on_timeout;
    return policy(info);
  };
}

}  // namespace

result<std::vector<std::string>> detail::select_addresses(const std::string& service,
                                                          const registry::result<std::vector<registry::service>>& found,
                                                          const std::vector<named_filter>& filters) {
  auto kept = filtered(service, found, filters);
  if (!kept)
    return kept.error();
  std::vector<std::string> addresses;
  for (auto& svc : *kept)
    for (auto& node : svc.nodes)
      addresses.push_back(node.address);
  return addresses;
}

status detail::resolve_into(prepared_call& call, const std::string& service, const std::string& endpoint,
                            const registry::result<std::vector<registry::service>>& found, const call_options& opts) {
  auto kept = filtered(service, found, opts.filters);
  if (!kept)
    return kept.error();
  call.plan.candidates.clear();
  call.plan.routes.clear();
  for (auto& svc : *kept)
    for (auto& node : svc.nodes) {
      call.plan.candidates.push_back(node.address);
      if (actors::node_route route; actors::route_of(node.address, node.meta, route))
        call.plan.routes[node.address] = std::move(route);  // its unary calls go over that transport
      if (auto tls = node.meta.find(actors::tls_metadata_key); tls != node.meta.end() && tls->second == "true")
        call.plan.tls_nodes.insert(node.address);
    }
  call.plan.retry = retry_rule(opts, idempotent_everywhere(*kept, endpoint));
  return {};
}

registry::result<std::vector<registry::service>> client::impl::lookup(const std::string& service) {
  if (auto hit = cache->lookup(service))
    return std::move(*hit);
  // Not cached: the watcher asks the backend (once, however many callers wait for it).
  caf::scoped_actor self{rt->system()};
  actors::lookup_result found{
    registry::make_error(registry::errc::unavailable, reg->name(), "no answer to the lookup of \"" + service + "\""), {}};
  self->request(watcher, caf::infinite, actors::lookup_atom::value, service)
    .receive([&](actors::lookup_result& r) { found = std::move(r); },
             [&](caf::error& err) { found.st.message += ": " + rt->system().render(err); });
  return found;
}

result<std::vector<std::string>> client::resolve(const std::string& service, const std::vector<named_filter>& filters) {
  return detail::select_addresses(service, impl_->lookup(service), filters);
}

status client::publish_raw(const std::string& topic, const raw_message& msg, const publish_options& opts) {
  return impl_->pubsub.publish(topic, msg, opts);
}

void client::publish_acknowledged(const std::string& topic, const raw_message& msg,
                                  std::function<void(const status&)> done, const publish_options& opts) {
  impl_->pubsub.publish_acknowledged(topic, msg, std::move(done), opts);
}

publish_stats client::publications() const { return impl_->pubsub.stats(); }

void client::on_publish_error(std::function<void(const std::string& topic, const error& err)> callback) {
  impl_->pubsub.on_error(std::move(callback));
}

bool client::flush_publications(std::chrono::milliseconds timeout) { return impl_->pubsub.flush(timeout); }

void client::reset_marks(const std::string& service) {
  auto found = impl_->lookup(service);
  std::vector<std::string> addresses;
  for (auto& svc : found.value)
    for (auto& node : svc.nodes)
      addresses.push_back(node.address);
  caf::anon_send(impl_->rt->client_actor(), actors::reset_atom::value, std::move(addresses));
}

void client::wrap(call_wrapper wrapper) {
  impl_->wrappers.push_back(std::move(wrapper));
  // The first wrapper added is the outermost: compose from the innermost out.
  call_func chain = [this](const context& parent, const std::string& service, const std::string& endpoint,
                           const raw_message& req, const call_options& opts) {
    return unwrapped_call(parent, service, endpoint, req, opts);
  };
  for (auto it = impl_->wrappers.rbegin(); it != impl_->wrappers.rend(); ++it)
    chain = (*it)(std::move(chain));
  impl_->chain = std::move(chain);
}

result<detail::prepared_call> detail::prepare_call(client& c, const context& parent, const std::string& service,
                                                   const std::string& endpoint, const raw_message& req,
                                                   const call_options& opts) {
  using namespace std::chrono;
  auto timeout = duration_cast<nanoseconds>(opts.timeout.count() > 0 ? opts.timeout : c.opts().request_timeout);
  if (parent.has_deadline())
    timeout = std::min(timeout, parent.remaining());
  if (timeout.count() <= 0)
    return errors::timeout(client_error_id, "deadline of " + parent.service() + " " + parent.endpoint()
                                              + " expired before calling " + service + " " + endpoint);
  prepared_call call;
  auto& plan = call.plan;
  plan.candidates = opts.addresses;
  auto chosen = opts.strategy ? result<strategy>{*opts.strategy} : parse_strategy(c.opts().selector);
  if (!chosen)
    return chosen.error();
  plan.strategy = to_actor_strategy(*chosen);
  plan.retries = opts.retries ? *opts.retries : c.opts().retries;
  plan.backoff = c.opts().retry_backoff;
  plan.attempt_timeout = opts.attempt_timeout;
  plan.retry = retry_rule(opts, false);  // given addresses: only the caller can say it is idempotent
  auto& wire = call.wire;
  wire.service = service;
  wire.endpoint = endpoint;
  wire.content_type = req.content_type;
  wire.accept = req.accept;
  wire.metadata = parent.metadata();
  for (auto& [k, v] : opts.metadata)
    wire.metadata[k] = v;
  // The caller's trace goes on (its traceparent names the caller's span); a call from outside
  // any trace starts one. The parent link is the receiving hop's to make.
  wire.metadata.erase(parent_span_key);
  ensure_trace(wire.metadata);
  wire.timeout_ns = timeout.count();
  wire.body = req.body;
  call.wait = timeout + wait_margin;
  return call;
}

result<raw_message> detail::to_raw_result(actors::response&& rsp) {
  if (rsp.code != 0)
    return to_error(rsp);
  raw_message m;
  m.content_type = std::move(rsp.content_type);
  m.body = std::move(rsp.body);
  m.metadata = std::move(rsp.metadata);
  return m;
}

detail::call_targets detail::targets_of(client& c) {
  auto& rt = *c.internals().rt;
  return call_targets{rt.client_actor(), rt.direct()};
}

namespace {

// How long a blocking caller looks for its reply before it sleeps, yielding the core to anyone who
// wants it: a reply within this costs the caller no wake-up (a futex wake and a context switch,
// a good part of a fast call's latency on loopback: docs/benchmarks.md). Only one caller of the
// process looks at a time (the others sleep at once), and after several looks in a row that came
// back empty (slow calls) only one call in 64 looks, so slow or many blocking calls never keep a
// core busy for nothing.
constexpr std::chrono::microseconds caller_spin{80};
constexpr unsigned misses_before_backing_off = 8;
constexpr unsigned look_every_when_backing_off = 64;
std::atomic<int> spinning_callers{0};
std::atomic<unsigned> missed_looks{0};
std::atomic<unsigned> calls_since_look{0};

// Waits up to caller_spin for `filled`, unless another caller is looking or looks have not paid.
void look_for_reply(const std::atomic<bool>& filled) {
  if (missed_looks.load(std::memory_order_relaxed) >= misses_before_backing_off &&
      calls_since_look.fetch_add(1, std::memory_order_relaxed) % look_every_when_backing_off != 0)
    return;
  if (spinning_callers.fetch_add(1, std::memory_order_relaxed) == 0) {
    auto until = std::chrono::steady_clock::now() + caller_spin;
    bool got = false;
    while (!(got = filled.load(std::memory_order_acquire)) && std::chrono::steady_clock::now() < until)
      std::this_thread::yield();
    if (got)
      missed_looks.store(0, std::memory_order_relaxed);
    else
      missed_looks.fetch_add(1, std::memory_order_relaxed);
  }
  spinning_callers.fetch_sub(1, std::memory_order_relaxed);
}

}  // namespace

result<raw_message> detail::call_direct(actors::direct_calls& direct, prepared_call call) {
  // The caller looks at (then sleeps on) its own slot, which the thread that ends the call (the
  // transport's I/O thread, as a rule) fills: at most one wake-up back, no actor in between. Shared, so a completion
  // that comes after the caller stopped waiting touches nothing freed.
  struct slot {
    std::mutex mutex;
    std::condition_variable cv;
    bool done = false;
    std::atomic<bool> filled{false};  // `done`, readable without the mutex
    actors::response rsp;
  };
  auto s = std::make_shared<slot>();
  direct.call(std::move(call.plan), std::move(call.wire), [s](actors::response rsp) {
    {
      std::lock_guard<std::mutex> guard{s->mutex};
      s->rsp = std::move(rsp);
      s->done = true;
      s->filled.store(true, std::memory_order_release);
    }
    s->cv.notify_one();
  });
  look_for_reply(s->filled);
  std::unique_lock<std::mutex> lock{s->mutex};
  // The direct path ends every call by its deadline; this bound only guards against a bug there.
  if (!s->cv.wait_for(lock, call.wait, [&] { return s->done; }))
    return errors::internal_server_error(client_error_id, "no reply from the direct call path in time");
  return to_raw_result(std::move(s->rsp));
}

result<raw_message> client::call_raw(const context& parent, const std::string& service,
                                     const std::string& endpoint, const raw_message& req,
                                     const call_options& opts) {
  if (impl_->chain)
    return impl_->chain(parent, service, endpoint, req, opts);
  return unwrapped_call(parent, service, endpoint, req, opts);
}

result<raw_message> client::unwrapped_call(const context& parent, const std::string& service,
                                           const std::string& endpoint, const raw_message& req,
                                           const call_options& opts) {
  auto call = detail::prepare_call(*this, parent, service, endpoint, req, opts);
  if (!call)
    return call.error();
  if (call->plan.candidates.empty())
    if (auto st = detail::resolve_into(*call, service, endpoint, impl_->lookup(service), opts); !st)
      return st.error();
  if (auto direct = impl_->rt->direct(); direct->takes(call->plan))
    return detail::call_direct(*direct, std::move(*call));
  auto& sys = impl_->rt->system();
  caf::scoped_actor self{sys};
  result<raw_message> out = errors::internal_server_error(client_error_id, "no reply");
  self->request(impl_->rt->client_actor(), call->wait, actors::call_atom::value, std::move(call->plan),
                std::move(call->wire))
    .receive(
      [&](actors::response& rsp) { out = detail::to_raw_result(std::move(rsp)); },
      [&](caf::error& err) {
        out = errors::internal_server_error(client_error_id, "client actor failed: " + sys.render(err));
      });
  return out;
}

}  // namespace micro
