#include "api/gateway.hpp"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <condition_variable>
#include <map>
#include <random>
#include <thread>
#include <mutex>

#include <nlohmann/json.hpp>

#include "api/async_caller.hpp"
#include "api/request_map.hpp"
#include "api/worker_pool.hpp"
#include "http/errors.hpp"
#include "http/health.hpp"
#include "http/metrics.hpp"
#include "http/server.hpp"
#include "micro/service.hpp"

namespace micro::api {

namespace {

constexpr const char* api_error_id = "micro.api";

http::response error_reply(const micro::error& e) {
  http::response rsp;
  rsp.status = http_status(e.code);
  rsp.body = e.to_json();
  return rsp;
}

// A metadata key as a header name: "micro-node" -> "Micro-Node", "x-trail" -> "Micro-X-Trail".
std::string header_name(std::string key) {
  if (key.rfind("micro-", 0) == 0)
    key = key.substr(6);
  std::string out = "Micro-";
  bool up = true;
  for (char c : key) {
    out += up ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
    up = c == '-';
  }
  return out;
}

bool token(const std::string& s) {
  return !s.empty() && s.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") == std::string::npos;
}

// One SSE event: every line of `data` as a data: line (JSON from a service may span lines).
std::string sse_event(const std::string& event, const std::string& data) {
  std::string out = event.empty() ? "" : "event: " + event + "\n";
  std::size_t at = 0;
  while (at <= data.size()) {
    auto nl = data.find('\n', at);
    if (nl == std::string::npos)
      nl = data.size();
    out += "data: " + data.substr(at, nl - at) + "\n";
    at = nl + 1;
  }
  return out + "\n";
}

// A call's outcome as the HTTP answer: the JSON reply and its metadata as Micro-* headers, or
// the error.
http::response to_http(micro::result<micro::raw_message>&& rsp) {
  if (!rsp)
    return error_reply(rsp.error());
  http::response ok;
  ok.body = std::move(rsp->body);
  for (auto& [k, v] : rsp->metadata)
    if (token(k) && v.find_first_of("\r\n") == std::string::npos)
      ok.headers[header_name(k)] = v;
  return ok;
}

}  // namespace

struct gateway::impl : std::enable_shared_from_this<impl> {
  impl(micro::client& c, gateway_options o)
      : client(c), opts(std::move(o)), calls(opts.workers, opts.max_concurrency),
        streams(opts.max_streams, opts.max_streams), caller(std::make_unique<async_caller>(c)) {}

  micro::client& client;
  gateway_options opts;
  worker_pool calls;
  worker_pool streams;
  std::unique_ptr<http::server> listener;
  std::atomic<bool> stopping{false};
  std::unique_ptr<async_caller> caller;  // full-form calls; reset by stop()
  std::shared_ptr<std::atomic<std::size_t>> async_in_flight = std::make_shared<std::atomic<std::size_t>>(0);
  // The short form's endpoint lists, per service, for a few seconds (a registry lookup per
  // request would cost mdns a browse).
  std::mutex cache_mutex;
  std::map<std::string, std::pair<std::chrono::steady_clock::time_point, std::vector<std::string>>> endpoints;

  std::vector<std::string> endpoints_of(const std::string& service) {
    auto now = std::chrono::steady_clock::now();
    {
      std::lock_guard<std::mutex> guard{cache_mutex};
      auto it = endpoints.find(service);
      if (it != endpoints.end() && now - it->second.first < std::chrono::seconds{5})
        return it->second.second;
    }
    std::vector<std::string> names;
    if (auto found = client.registry()->get_service(service))
      for (auto& version : found.value)
        for (auto& e : version.endpoints)
          if (std::find(names.begin(), names.end(), e.name) == names.end())
            names.push_back(e.name);
    std::lock_guard<std::mutex> guard{cache_mutex};
    endpoints[service] = {now, names};
    return names;
  }

  void serve(http::request&& req, const http::responder& out) {
    auto self = shared_from_this();
    // Holds no `self`: an answer may be the last thing an actor thread drops (see async_caller).
    std::string origin;
    if (auto o = req.header("Origin"); o && !opts.cors_origins.empty()) {
      bool any = std::find(opts.cors_origins.begin(), opts.cors_origins.end(), "*") != opts.cors_origins.end();
      if (any)
        origin = "*";
      else if (std::find(opts.cors_origins.begin(), opts.cors_origins.end(), *o) != opts.cors_origins.end())
        origin = *o;
    }
    auto answer = [out, origin](http::response rsp) {
      if (!origin.empty()) {
        rsp.headers["Access-Control-Allow-Origin"] = origin;
        rsp.headers["Vary"] = "Origin";
        rsp.headers["Access-Control-Expose-Headers"] = "Micro-Node";
      }
      out.reply(std::move(rsp));
    };
    if (req.method == "OPTIONS") {  // a browser's preflight
      http::response rsp;
      rsp.status = 204;
      rsp.content_type.clear();
      rsp.headers["Access-Control-Allow-Methods"] = "POST, GET, OPTIONS";
      rsp.headers["Access-Control-Allow-Headers"] = req.header("Access-Control-Request-Headers").value_or("Content-Type");
      rsp.headers["Access-Control-Max-Age"] = "600";
      return answer(std::move(rsp));
    }
    if (req.method != "POST" && req.method != "GET")
      return answer(http::error_response(405, api_error_id, req.method + " is not supported: use POST with a JSON body"));
    // curl -d sends form-urlencoded: its body is taken as the JSON it is.
    if (auto ct = req.header("Content-Type");
        ct && !req.body.empty() && ct->find("json") == std::string::npos && ct->find("x-www-form-urlencoded") == std::string::npos)
      return answer(http::error_response(400, api_error_id, "unsupported content type \"" + *ct + "\": send application/json"));
    if (req.body.find_first_not_of(" \t\r\n") == std::string::npos)
      req.body = "{}";
    if (!nlohmann::json::accept(req.body))
      return answer(http::error_response(400, api_error_id, "the request body is not valid JSON"));
    auto deadline = deadline_from(req.headers, opts.default_timeout, opts.max_timeout);
    if (!deadline)
      return answer(error_reply(deadline.error()));
    auto md = metadata_from(req.headers);
    static const std::string subscribe_prefix = "/subscribe/";
    if (req.path.compare(0, subscribe_prefix.size(), subscribe_prefix) == 0) {
      auto topic = req.path.substr(subscribe_prefix.size());
      if (topic.empty() || topic.find('/') != std::string::npos)
        return answer(http::error_response(404, api_error_id, "GET /subscribe/TOPIC needs a topic"));
      std::string queue;
      if (req.query.rfind("queue=", 0) == 0)
        queue = req.query.substr(6);
      if (queue.find_first_of(",&") != std::string::npos)
        return answer(http::error_response(400, api_error_id, "invalid queue group \"" + queue + "\""));
      if (!streams.try_submit([self, out, topic, queue] { self->subscribe(out, topic, queue); }))
        return answer(busy("event streams"));
      return;
    }
    static const std::string publish_prefix = "/publish/";
    if (req.path.compare(0, publish_prefix.size(), publish_prefix) == 0) {
      auto topic = req.path.substr(publish_prefix.size());
      if (topic.empty() || topic.find('/') != std::string::npos)
        return answer(http::error_response(404, api_error_id, "POST /publish/TOPIC needs a topic"));
      auto job = [self, answer, topic, body = std::move(req.body), md, d = *deadline] {
        micro::publish_options po;
        po.metadata = md;
        po.timeout = d;
        auto st = self->client.publish_raw(topic, micro::raw_message{"application/json", body, {}, {}}, po);
        answer(st ? http::json_response("{}") : error_reply(st.error()));
      };
      if (!calls.try_submit(job))
        return answer(busy("requests"));
      return;
    }
    auto target = parse_path(req.path);
    if (!target)
      return answer(error_reply(target.error()));
    bool sse = req.header("Accept").value_or("").find("text/event-stream") != std::string::npos;
    if (sse) {
      bool explicit_deadline = req.header("Micro-Timeout") || req.header("Timeout");
      auto job = [self, out, answer, t = *target, body = std::move(req.body), md,
                  d = explicit_deadline ? *deadline : std::chrono::milliseconds{0}] {
        self->stream(out, answer, t, body, md, d);
      };
      if (!streams.try_submit(job))
        return answer(busy("event streams"));
      return;
    }
    if (!target->endpoint.empty() && caller) {
      // The full form needs no registry read here: an asynchronous call, no thread held.
      if (async_in_flight->fetch_add(1) >= opts.max_concurrency) {
        async_in_flight->fetch_sub(1);
        return answer(busy("requests"));
      }
      micro::call_options co;
      co.timeout = *deadline;
      co.metadata = std::move(md);
      caller->call(target->service, target->endpoint,
                   micro::raw_message{"application/json", std::move(req.body), "application/json", {}}, std::move(co),
                   [answer, count = async_in_flight](micro::result<micro::raw_message> rsp) {
                     count->fetch_sub(1);
                     answer(to_http(std::move(rsp)));
                   });
      return;
    }
    auto job = [self, answer, t = *target, body = std::move(req.body), md, d = *deadline]() mutable {
      if (t.endpoint.empty()) {
        auto ep = resolve_short(t.service, t.method, self->endpoints_of(t.service));
        if (!ep)
          return answer(error_reply(ep.error()));
        t.endpoint = *ep;
      }
      micro::call_options co;
      co.timeout = d;
      co.metadata = md;
      micro::raw_message in{"application/json", std::move(body), "application/json", {}};
      answer(to_http(self->client.call_raw(micro::context{}, t.service, t.endpoint, in, co)));
    };
    if (!calls.try_submit(std::move(job)))
      return answer(busy("requests"));
  }

  http::response busy(const std::string& what) const {
    return http::error_response(503, api_error_id, "the gateway has too many " + what + " in flight (limit "
                                                     + std::to_string(what == "requests" ? opts.max_concurrency
                                                                                         : opts.max_streams)
                                                     + ")");
  }

  // A subscription as Server-Sent Events: a service of its own (subscriptions belong to a
  // service, as in go-micro) subscribed to `topic`, each publication an event, until the client
  // hangs up or the gateway stops. "event: subscribed" once publishers can find it.
  void subscribe(const http::responder& out, const std::string& topic, const std::string& queue) {
    http::response head;
    head.content_type = "text/event-stream";
    head.headers["Cache-Control"] = "no-cache";
    auto sink = out.start_stream(std::move(head));
    if (!sink)
      return;
    auto o = client.opts();
    std::random_device rd;
    o.name = "micro-api-sub-" + std::to_string(rd() % 1000000000u);
    o.server_address = opts.subscribe_address;
    o.environment_applied = true;  // the client's options already are the environment's
    micro::service svc{o};
    try {
      svc.server().subscribe_raw(
        topic, "json",
        [sink](const micro::context&, const micro::raw_message& in) -> micro::status {
          auto data = nlohmann::json::accept(in.body) ? in.body : nlohmann::json(in.body).dump();
          sink->send(sse_event("", data));
          return {};
        },
        micro::subscribe_options{}.with_queue(queue));
    } catch (const micro::error& e) {
      sink->send(sse_event("error", e.to_json()));
      return sink->close();
    }
    if (auto st = svc.start(); !st) {
      sink->send(sse_event("error", st.error().to_json()));
      return sink->close();
    }
    wait_visible(svc, topic);
    sink->send(sse_event("subscribed", nlohmann::json{{"topic", topic}, {"queue", queue}, {"node", svc.node_id()}}.dump()));
    // Until the client hangs up or the gateway stops.
    auto gone = std::make_shared<std::pair<std::mutex, std::condition_variable>>();
    auto flag = std::make_shared<bool>(false);
    sink->on_peer_gone([gone, flag] {
      std::lock_guard<std::mutex> guard{gone->first};
      *flag = true;
      gone->second.notify_all();
    });
    {
      std::unique_lock<std::mutex> lock{gone->first};
      while (!*flag && !stopping.load())
        gone->second.wait_for(lock, std::chrono::milliseconds{200});
    }
    svc.stop();
    sink->close();
  }

  // With a registry that advertises subscriptions (mdns: after Avahi's probing, about 1 s), waits
  // until this gateway's registry shows the node with its subscription, at most 10 s.
  void wait_visible(micro::service& svc, const std::string& topic) {
    auto reg = client.registry();
    if (reg->name() == "static")
      return;
    auto until = std::chrono::steady_clock::now() + std::chrono::seconds{10};
    while (std::chrono::steady_clock::now() < until && !stopping.load()) {
      auto found = reg->get_service(svc.opts().name);
      for (auto& version : found.value)
        for (auto& n : version.nodes)
          if (n.id == svc.node_id() && n.meta.count("sub:" + topic) != 0)
            return;
      std::this_thread::sleep_for(std::chrono::milliseconds{20});  // the registry has no event for this here
    }
  }

  // A stream as Server-Sent Events: the body is the one message sent, each message back an event;
  // the end is an "end" event, a failure an "error" event with the error's JSON.
  template <class Answer>
  void stream(const http::responder& out, const Answer& answer, call_target t, const std::string& body,
              const micro::metadata& md, std::chrono::milliseconds deadline) {
    if (t.endpoint.empty()) {
      auto ep = resolve_short(t.service, t.method, endpoints_of(t.service));
      if (!ep)
        return answer(error_reply(ep.error()));
      t.endpoint = *ep;
    }
    micro::stream_options so;
    so.content_type = so.accept = "application/json";
    so.metadata = md;
    so.timeout = deadline;
    auto opened = client.stream_raw(t.service, t.endpoint, so);
    if (!opened)
      return answer(error_reply(opened.error()));
    auto s = std::make_shared<micro::raw_stream>(std::move(*opened));
    // The handler may end the stream before our one message is in, so a failed send is not yet
    // the answer: what decides is whether anything comes back. A stream that ends in an error
    // before its first message is a plain error answer; once a message is in, it is SSE.
    if (s->send(body))
      s->close_send();
    std::string msg;
    bool first = s->recv(msg);
    if (!first)
      if (auto st = s->final_status(); !st)
        return answer(error_reply(st.error()));
    http::response head;
    head.content_type = "text/event-stream";
    head.headers["Cache-Control"] = "no-cache";
    head.headers["X-Accel-Buffering"] = "no";
    auto sink = out.start_stream(std::move(head));
    if (!sink)
      return s->cancel("the HTTP request was answered already");
    sink->on_peer_gone([weak = std::weak_ptr<micro::raw_stream>(s)] {
      if (auto live = weak.lock())
        live->cancel("the HTTP client went away");
    });
    for (bool more = first; more; more = s->recv(msg))
      if (!sink->send(sse_event("", msg))) {
        s->cancel("the HTTP client went away");
        break;
      }
    auto st = s->final_status();
    sink->send(st ? sse_event("end", "{}") : sse_event("error", st.error().to_json()));
    sink->close();
  }
};

gateway::gateway(micro::client& client, gateway_options opts)
    : impl_(std::make_shared<impl>(client, std::move(opts))) {}

gateway::~gateway() { stop(); }

http::handler gateway::handler() {
  return [p = impl_](http::request&& req, const http::responder& out) { p->serve(std::move(req), out); };
}

void gateway::mount(http::router& routes) { routes.add_prefix("/", handler()); }

status gateway::listen(http::router routes) {
  if (impl_->listener)
    return {};
  http::add_health(routes, [p = impl_.get()] { return static_cast<bool>(p->client.configured()); });
  http::add_metrics(routes);
  mount(routes);
  http::server_options so;
  so.address = impl_->opts.address;
  so.max_body = impl_->opts.max_body;
  so.max_in_flight = impl_->opts.max_concurrency + impl_->opts.max_streams + 64;  // the gateway says 503 first
  auto [srv, err] = http::server::start(so, routes.as_handler());
  if (!srv)
    return make_error(api_error_id, err.invalid ? 400 : 503, err.message);
  impl_->listener = std::move(srv);
  return {};
}

std::string gateway::address() const { return impl_->listener ? impl_->listener->address() : std::string{}; }

void gateway::stop() {
  impl_->stopping = true;  // ends the subscriptions' waits
  if (impl_->listener)
    impl_->listener->stop();
  // Here, not in ~impl: a job holds the impl, and the last holder must not be a pool thread.
  impl_->calls.shutdown();
  impl_->streams.shutdown();
  impl_->caller.reset();  // waits for its actor: nothing touches the client afterwards
}

}  // namespace micro::api
