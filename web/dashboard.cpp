#include "web/dashboard.hpp"

#include <atomic>
#include <cmath>

#include <nlohmann/json.hpp>

#include "api/async_caller.hpp"
#include "api/gateway.hpp"
#include "api/request_map.hpp"
#include "http/errors.hpp"
#include "http/health.hpp"
#include "http/server.hpp"
#include "web/assets.hpp"
#include "web/call_request.hpp"
#include "web/collector.hpp"
#include "web/query.hpp"

namespace micro::web {

namespace {

constexpr const char* web_error_id = "micro.web";
constexpr std::size_t max_calls = 64;  // calls from the form in flight at once; beyond: 503

bool starts_with(const std::string& s, const std::string& prefix) { return s.compare(0, prefix.size(), prefix) == 0; }

http::response asset_response(const asset& a) {
  http::response rsp;
  rsp.content_type = a.content_type;
  rsp.body.assign(reinterpret_cast<const char*>(a.data), a.size);
  rsp.headers["Cache-Control"] = "no-cache";
  rsp.headers["X-Content-Type-Options"] = "nosniff";
  return rsp;
}

// A call's outcome as the form shows it: the reply (JSON if it is, else a string), the status,
// the time it took and the node that answered; an error keeps go-micro's shape.
http::response call_outcome(micro::result<micro::raw_message>&& rsp, double ms) {
  double latency = std::round(ms * 1000) / 1000;
  if (!rsp) {
    auto err = nlohmann::json::parse(rsp.error().to_json(), nullptr, false);
    if (!err.is_object())
      err = {{"id", rsp.error().id}, {"code", rsp.error().code}, {"detail", rsp.error().detail}};
    err["latency_ms"] = latency;
    return http::json_response(err.dump(), api::http_status(rsp.error().code));
  }
  auto reply = nlohmann::json::parse(rsp->body, nullptr, false);
  if (reply.is_discarded())
    reply = rsp->body;
  auto node = rsp->metadata.find("micro-node");
  nlohmann::json out{{"status", 200},
                     {"latency_ms", latency},
                     {"node", node == rsp->metadata.end() ? "" : node->second},
                     {"reply", std::move(reply)}};
  return http::json_response(out.dump());
}

}  // namespace

struct dashboard::impl : std::enable_shared_from_this<impl> {
  impl(micro::client& c, dashboard_options o) : client(c), opts(std::move(o)) {
    caller = std::make_unique<api::async_caller>(client);
    coll = std::make_unique<collector>(client, *caller, collector_options{opts.interval, std::chrono::seconds{30}});
    api::gateway_options g;
    g.workers = 4;
    g.max_concurrency = max_calls;
    g.max_streams = opts.max_streams;
    g.max_body = opts.max_body;
    g.default_timeout = opts.call_timeout;
    g.max_timeout = opts.call_timeout;
    gw = std::make_unique<api::gateway>(client, g);
    gw_handler = gw->handler();
  }

  micro::client& client;
  dashboard_options opts;
  std::unique_ptr<api::async_caller> caller;
  std::unique_ptr<collector> coll;
  std::unique_ptr<api::gateway> gw;  // the viewers' event streams and publications
  http::handler gw_handler;
  std::unique_ptr<http::server> listener;
  std::shared_ptr<std::atomic<std::size_t>> calls = std::make_shared<std::atomic<std::size_t>>(0);
  std::atomic<bool> stopped{false};

  void serve(http::request&& req, const http::responder& out) {
    if (stopped)
      return out.reply(http::error_response(503, web_error_id, "the dashboard is stopping"));
    auto rel = req.path.substr(opts.prefix.size());
    if (rel.empty()) {
      http::response rsp;
      rsp.status = 302;
      rsp.content_type.clear();
      rsp.headers["Location"] = opts.prefix + "/";
      return out.reply(std::move(rsp));
    }
    if (starts_with(rel, "/api/"))
      return serve_api(rel.substr(5), std::move(req), out);
    if (req.method != "GET")
      return out.reply(http::error_response(405, web_error_id, req.method + " " + req.path + ": the page is read with GET"));
    auto* a = find_asset(rel == "/" ? "index.html" : rel.substr(1));
    if (a == nullptr)
      return out.reply(http::error_response(404, web_error_id, "no page " + req.path));
    out.reply(asset_response(*a));
  }

  void serve_api(const std::string& what, http::request&& req, const http::responder& out) {
    auto get_only = [&] {
      if (req.method == "GET")
        return true;
      out.reply(http::error_response(405, web_error_id, req.method + " " + req.path + ": use GET"));
      return false;
    };
    if (what == "services") {
      if (get_only())
        out.reply(http::json_response(coll->catalog().dump()));
      return;
    }
    if (what == "stats") {
      if (!get_only())
        return;
      coll->touch();
      auto q = parse_query(req.query);
      if (q["service"].empty())
        return out.reply(http::error_response(400, web_error_id, "GET stats needs ?service=NAME"));
      auto view = coll->stats().view(q["service"], q["node"]);
      if (view.is_null())
        return out.reply(http::error_response(404, web_error_id, "no figures for service \"" + q["service"] + "\""
                                                                   + (q["node"].empty() ? "" : " node \"" + q["node"] + "\"")
                                                                   + " (yet)"));
      return out.reply(http::json_response(view.dump()));
    }
    if (what == "call") {
      if (req.method != "POST")
        return out.reply(http::error_response(405, web_error_id, req.method + " " + req.path + ": use POST"));
      return call(std::move(req), out);
    }
    if (starts_with(what, "subscribe/")) {
      if (!get_only())
        return;
      req.path = "/" + what;
      return gw_handler(std::move(req), out);
    }
    if (starts_with(what, "publish/")) {
      if (req.method != "POST")
        return out.reply(http::error_response(405, web_error_id, req.method + " " + req.path + ": use POST"));
      req.path = "/" + what;
      return gw_handler(std::move(req), out);
    }
    if (starts_with(what, "stream/")) {
      if (!get_only())
        return;
      // EventSource can only GET: the message to send rides in ?body=JSON.
      auto q = parse_query(req.query);
      req.path = "/" + what.substr(7);
      req.query.clear();
      req.body = q["body"];
      req.headers["Accept"] = "text/event-stream";
      req.headers.erase("Content-Type");
      return gw_handler(std::move(req), out);
    }
    out.reply(http::error_response(404, web_error_id, "no API " + req.path));
  }

  void call(http::request&& req, const http::responder& out) {
    if (req.body.size() > opts.max_body)
      return out.reply(http::error_response(413, web_error_id, "the call's body of " + std::to_string(req.body.size())
                                                                 + " bytes exceeds the limit of "
                                                                 + std::to_string(opts.max_body)));
    auto parsed = parse_call_request(req.body, opts.call_timeout);
    if (!parsed)
      return out.reply(http::error_response(parsed.error().code, web_error_id, parsed.error().detail));
    if (calls->fetch_add(1) >= max_calls) {
      calls->fetch_sub(1);
      return out.reply(http::error_response(503, web_error_id, "too many calls from the dashboard in flight (limit "
                                                                 + std::to_string(max_calls) + ")"));
    }
    coll->touch();
    micro::call_options co;
    co.timeout = parsed->timeout;
    co.retries = 0;  // the form shows what one call did
    if (!parsed->node.empty())
      co.filters.push_back(filters::custom("node " + parsed->node, [id = parsed->node](const registry::service&,
                                                                                       const registry::node& n) {
        return n.id == id;
      }));
    auto start = std::chrono::steady_clock::now();
    caller->call(parsed->service, parsed->endpoint,
                 micro::raw_message{"application/json", std::move(parsed->body), "application/json", {}}, std::move(co),
                 [out, start, count = calls](micro::result<micro::raw_message> rsp) {
                   count->fetch_sub(1);
                   auto ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
                   out.reply(call_outcome(std::move(rsp), ms));
                 });
  }
};

dashboard::dashboard(micro::client& client, dashboard_options opts)
    : impl_(std::make_shared<impl>(client, std::move(opts))) {
  while (impl_->opts.prefix.size() > 1 && impl_->opts.prefix.back() == '/')
    impl_->opts.prefix.pop_back();
  if (impl_->opts.prefix == "/")
    impl_->opts.prefix.clear();
}

dashboard::~dashboard() { stop(); }

void dashboard::mount(http::router& routes) {
  auto h = [p = impl_](http::request&& req, const http::responder& out) { p->serve(std::move(req), out); };
  if (!impl_->opts.prefix.empty())
    routes.add(impl_->opts.prefix, h);
  routes.add_prefix(impl_->opts.prefix + "/", h);
}

status dashboard::listen() {
  if (impl_->listener)
    return {};
  http::router routes;
  http::add_health(routes, [p = impl_.get()] { return static_cast<bool>(p->client.configured()); });
  mount(routes);
  if (!impl_->opts.prefix.empty())
    routes.add("/", [prefix = impl_->opts.prefix](http::request&&, const http::responder& out) {
      http::response rsp;
      rsp.status = 302;
      rsp.content_type.clear();
      rsp.headers["Location"] = prefix + "/";
      out.reply(std::move(rsp));
    });
  http::server_options so;
  so.address = impl_->opts.address;
  so.max_body = impl_->opts.max_body;
  so.max_in_flight = max_calls + impl_->opts.max_streams + 64;  // the dashboard says 503 first
  auto [srv, err] = http::server::start(so, routes.as_handler());
  if (!srv)
    return make_error(web_error_id, err.invalid ? 400 : 503, err.message);
  impl_->listener = std::move(srv);
  return {};
}

std::string dashboard::address() const { return impl_->listener ? impl_->listener->address() : std::string{}; }

void dashboard::stop() {
  if (impl_->stopped.exchange(true))
    return;
  if (impl_->listener)
    impl_->listener->stop();
  impl_->gw->stop();
  impl_->coll->stop();
  impl_->caller.reset();  // waits for its actor: nothing touches the client afterwards
}

}  // namespace micro::web
