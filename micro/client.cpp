#include "micro/client.hpp"

#include "actors/atoms.hpp"
#include "actors/registry_watcher.hpp"
#include "caf/all.hpp"
#include "micro/detail/client_impl.hpp"
#include "micro/detail/runtime_access.hpp"

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

namespace {

std::shared_ptr<registry::registry> open_registry(const options& opts) {
  auto reg = registry::make_registry(opts.registry, opts.registry_address);
  if (!reg.ok())
    throw make_error(client_error_id, reg.st.code == registry::errc::invalid_argument ? 400 : 503, reg.st.message);
  return reg.value;
}

}  // namespace

client::client(options opts) : client(opts, open_registry(opts)) {}

client::client(options opts, std::shared_ptr<registry::registry> reg)
    : impl_(std::make_unique<impl>(std::move(opts), std::move(reg))) {}

client::~client() = default;

const options& client::opts() const noexcept { return impl_->opts; }

std::shared_ptr<registry::registry> client::registry() const { return impl_->reg; }

result<std::vector<std::string>> detail::select_addresses(const std::string& service,
                                                          const registry::result<std::vector<registry::service>>& found,
                                                          const node_filter& filter) {
  if (!found.ok()) {
    if (found.st.code == registry::errc::not_found)
      return errors::not_found(client_error_id, "service " + service + " not found (" + found.st.message + ")");
    return errors::service_unavailable(client_error_id, found.st.message);
  }
  std::vector<std::string> addresses;
  for (auto& svc : found.value)
    for (auto& node : svc.nodes)
      if (!filter || filter(svc, node))
        addresses.push_back(node.address);
  if (addresses.empty())
    return errors::service_unavailable(client_error_id,
                                       filter ? "no node of service " + service + " passes the call's filter"
                                              : "service " + service + " has no nodes");
  return addresses;
}

result<std::vector<std::string>> client::resolve(const std::string& service, const node_filter& filter) {
  if (auto hit = impl_->cache->lookup(service))
    return detail::select_addresses(service, *hit, filter);
  // Not cached: the watcher asks the backend (once, however many callers wait for it).
  caf::scoped_actor self{impl_->rt->system()};
  actors::lookup_result found{registry::make_error(registry::errc::unavailable, impl_->reg->name(),
                                                   "no answer to the lookup of \"" + service + "\""),
                              {}};
  self->request(impl_->watcher, caf::infinite, actors::lookup_atom::value, service)
    .receive([&](actors::lookup_result& r) { found = std::move(r); },
             [&](caf::error& err) {
               found.st.message += ": " + impl_->rt->system().render(err);
             });
  return detail::select_addresses(service, found, filter);
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
  call.candidates = opts.addresses;
  auto& wire = call.wire;
  wire.service = service;
  wire.endpoint = endpoint;
  wire.content_type = req.content_type;
  wire.accept = req.accept;
  wire.metadata = parent.metadata();
  for (auto& [k, v] : opts.metadata)
    wire.metadata[k] = v;
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

result<raw_message> client::call_raw(const context& parent, const std::string& service,
                                     const std::string& endpoint, const raw_message& req,
                                     const call_options& opts) {
  auto call = detail::prepare_call(*this, parent, service, endpoint, req, opts);
  if (!call)
    return call.error();
  if (call->candidates.empty()) {
    auto resolved = resolve(service, opts.filter);
    if (!resolved)
      return resolved.error();
    call->candidates = std::move(*resolved);
  }
  auto& sys = impl_->rt->system();
  caf::scoped_actor self{sys};
  result<raw_message> out = errors::internal_server_error(client_error_id, "no reply");
  self->request(impl_->rt->client_actor(), call->wait, actors::call_atom::value,
                std::move(call->candidates), std::move(call->wire))
    .receive(
      [&](actors::response& rsp) { out = detail::to_raw_result(std::move(rsp)); },
      [&](caf::error& err) {
        out = errors::internal_server_error(client_error_id, "client actor failed: " + sys.render(err));
      });
  return out;
}

}  // namespace micro
