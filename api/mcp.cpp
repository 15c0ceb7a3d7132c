#include "api/mcp.hpp"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <list>
#include <map>
#include <mutex>
#include <random>
#include <thread>

#include <nlohmann/json.hpp>

#include "api/mcp_tools.hpp"
#include "api/worker_pool.hpp"
#include "http/errors.hpp"

namespace micro::api {

namespace {

using json = nlohmann::json;

// The protocol versions this server speaks; it answers the client's if listed, else the first.
const std::vector<std::string> versions{"2025-06-18", "2025-03-26", "2024-11-05", "2025-11-25"};

json rpc_error(const json& id, int code, const std::string& message) {
  return {{"jsonrpc", "2.0"}, {"id", id}, {"error", {{"code", code}, {"message", message}}}};
}

json rpc_result(const json& id, json result) { return {{"jsonrpc", "2.0"}, {"id", id}, {"result", std::move(result)}}; }

json text_result(const std::string& text, bool is_error) {
  return {{"content", json::array({{{"type", "text"}, {"text", text}}})}, {"isError", is_error}};
}

std::string random_hex() {
  std::random_device rd;
  std::uniform_int_distribution<unsigned long long> d;
  char buf[40];
  std::snprintf(buf, sizeof buf, "%016llx%016llx", d(rd), d(rd));
  return buf;
}

// Calls per second in all: a token bucket of one second's worth.
class rate_limit {
 public:
  explicit rate_limit(double per_second) : rate_(per_second), tokens_(per_second) {}
  bool take() {
    if (rate_ <= 0)
      return true;
    std::lock_guard<std::mutex> guard{mutex_};
    auto now = std::chrono::steady_clock::now();
    tokens_ = std::min(rate_, tokens_ + rate_ * std::chrono::duration<double>(now - last_).count());
    last_ = now;
    if (tokens_ < 1)
      return false;
    tokens_ -= 1;
    return true;
  }

 private:
  std::mutex mutex_;
  double rate_;
  double tokens_;
  std::chrono::steady_clock::time_point last_ = std::chrono::steady_clock::now();
};

}  // namespace

struct mcp_server::impl : std::enable_shared_from_this<impl> {
  impl(micro::client& c, mcp_options o) : client(c), opts(std::move(o)), limiter(opts.rate), calls(8, 256) {}

  micro::client& client;
  mcp_options opts;
  rate_limit limiter;
  worker_pool calls;

  std::mutex mutex;
  std::condition_variable wake;
  std::map<std::string, mcp_tool> tools;
  bool listed = false;
  bool stopping = false;
  std::thread watcher;
  std::vector<std::function<void(const std::string&)>> sinks;

  std::map<std::string, mcp_tool> current_tools() {
    {
      std::lock_guard<std::mutex> guard{mutex};
      if (listed)
        return tools;
    }
    return refresh();
  }

  // Reads the registry; true in `changed` when the tools differ from the last read.
  std::map<std::string, mcp_tool> refresh(bool* changed = nullptr) {
    std::string error;
    auto now = list_tools(*client.registry(), opts.allow, opts.schemas.get(), error);
    std::lock_guard<std::mutex> guard{mutex};
    if (!error.empty())
      return tools;  // keep what was known while the registry cannot answer
    if (changed != nullptr)
      *changed = listed && now != tools;
    tools = now;
    listed = true;
    return tools;
  }

  void notify(const json& message) {
    std::vector<std::function<void(const std::string&)>> to;
    {
      std::lock_guard<std::mutex> guard{mutex};
      to = sinks;
    }
    auto text = message.dump();
    for (auto& s : to)
      s(text);
  }

  void watch_loop() {
    std::unique_lock<std::mutex> lock{mutex};
    while (!stopping) {
      wake.wait_for(lock, opts.refresh, [this] { return stopping; });
      if (stopping)
        return;
      lock.unlock();
      bool changed = false;
      refresh(&changed);
      if (changed)
        notify({{"jsonrpc", "2.0"}, {"method", "notifications/tools/list_changed"}});
      lock.lock();
    }
  }

  // One message; `reply` gets the answer (nullptr json: nothing to answer).
  void handle_one(const json& msg, std::function<void(json)> reply) {
    if (!msg.is_object() || msg.value("jsonrpc", "") != "2.0")
      return reply(rpc_error(nullptr, -32600, "not a JSON-RPC 2.0 message"));
    bool is_request = msg.contains("id") && msg.contains("method");
    if (!msg.contains("method"))
      return reply(nullptr);  // a response to us: we send no requests
    if (!msg["method"].is_string())
      return reply(rpc_error(msg.value("id", json{}), -32600, "method must be a string"));
    auto method = msg["method"].get<std::string>();
    if (!is_request)
      return reply(nullptr);  // notifications/initialized, cancelled, ...: nothing to answer
    const auto& id = msg["id"];
    auto params = msg.value("params", json::object());
    if (method == "initialize") {
      auto asked = params.is_object() ? params.value("protocolVersion", "") : "";
      auto v = std::find(versions.begin(), versions.end(), asked) != versions.end() ? asked : versions.front();
      return reply(rpc_result(id, {{"protocolVersion", v},
                                   {"capabilities", {{"tools", {{"listChanged", true}}}}},
                                   {"serverInfo", {{"name", "micro"}, {"version", "0.1.0"}}},
                                   {"instructions", "Each tool calls one endpoint of a micro service with its "
                                                    "arguments as the JSON request and answers the JSON response."}}));
    }
    if (method == "ping")
      return reply(rpc_result(id, json::object()));
    if (method == "tools/list") {
      json list = json::array();
      for (auto& [name, t] : refresh())  // fresh: what the client asks for now
        list.push_back(t.to_json());
      return reply(rpc_result(id, {{"tools", list}}));
    }
    if (method == "tools/call")
      return call_tool(id, params, std::move(reply));
    reply(rpc_error(id, -32601, "method not found: " + method));
  }

  void call_tool(const json& id, const json& params, std::function<void(json)> reply) {
    if (!params.is_object() || !params.contains("name") || !params["name"].is_string())
      return reply(rpc_error(id, -32602, "tools/call needs params.name"));
    auto name = params["name"].get<std::string>();
    auto args = params.value("arguments", json::object());
    if (!args.is_object())
      return reply(rpc_error(id, -32602, "tools/call arguments must be an object"));
    auto tools_now = current_tools();
    auto it = tools_now.find(name);
    if (it == tools_now.end()) {
      tools_now = refresh();  // a service that just came up
      it = tools_now.find(name);
    }
    if (it == tools_now.end())
      return reply(rpc_error(id, -32602, "unknown tool: " + name));
    if (!limiter.take())
      return reply(rpc_result(id, text_result(make_error("micro.mcp", 429, "rate limit of "
                                                                   + std::to_string(opts.rate) + " calls/s exceeded")
                                                .to_json(),
                                              true)));
    auto self = shared_from_this();
    auto job = [self, id, t = it->second, body = args.dump(), reply] {
      micro::call_options co;
      co.timeout = self->opts.timeout;
      micro::raw_message in{"application/json", body, "application/json", {}};
      auto out = self->client.call_raw(micro::context{}, t.service, t.endpoint, in, co);
      reply(rpc_result(id, out ? text_result(out->body, false) : text_result(out.error().to_json(), true)));
    };
    if (!calls.try_submit(job))
      reply(rpc_result(id, text_result(errors::service_unavailable("micro.mcp", "too many tool calls in flight").to_json(), true)));
  }
};

mcp_server::mcp_server(micro::client& client, mcp_options opts)
    : impl_(std::make_shared<impl>(client, std::move(opts))) {}

mcp_server::~mcp_server() { stop(); }

void mcp_server::handle(const std::string& message, std::function<void(std::string)> reply) {
  auto parsed = json::parse(message, nullptr, false);
  if (parsed.is_discarded())
    return reply(rpc_error(nullptr, -32700, "parse error: not JSON").dump());
  if (!parsed.is_array()) {
    return impl_->handle_one(parsed, [reply](json r) {
      if (!r.is_null())
        reply(r.dump());
    });
  }
  if (parsed.empty())
    return reply(rpc_error(nullptr, -32600, "empty batch").dump());
  // A batch: one array of every answer, once the last is in.
  struct gather {
    std::mutex mutex;
    std::size_t left;
    json answers = json::array();
  };
  auto g = std::make_shared<gather>();
  g->left = parsed.size();
  for (auto& m : parsed)
    impl_->handle_one(m, [g, reply](json r) {
      std::lock_guard<std::mutex> guard{g->mutex};
      if (!r.is_null())
        g->answers.push_back(std::move(r));
      if (--g->left == 0 && !g->answers.empty())
        reply(g->answers.dump());
    });
}

void mcp_server::on_notification(std::function<void(const std::string&)> sink) {
  std::lock_guard<std::mutex> guard{impl_->mutex};
  impl_->sinks.push_back(std::move(sink));
}

void mcp_server::start_watching() {
  std::lock_guard<std::mutex> guard{impl_->mutex};
  if (impl_->watcher.joinable() || impl_->stopping)
    return;
  impl_->watcher = std::thread{[p = impl_.get()] { p->watch_loop(); }};
}

void mcp_server::stop() {
  {
    std::lock_guard<std::mutex> guard{impl_->mutex};
    impl_->stopping = true;
  }
  impl_->wake.notify_all();
  if (impl_->watcher.joinable())
    impl_->watcher.join();
  impl_->calls.shutdown();
}

int mcp_server::run_stdio(std::FILE* in, std::FILE* out) {
  auto out_mutex = std::make_shared<std::mutex>();
  auto write = [out, out_mutex](const std::string& text) {
    std::lock_guard<std::mutex> guard{*out_mutex};
    std::fwrite(text.data(), 1, text.size(), out);
    std::fputc('\n', out);
    std::fflush(out);
  };
  on_notification(write);
  start_watching();
  std::string line;
  char buf[65536];
  while (std::fgets(buf, sizeof buf, in) != nullptr) {
    line += buf;
    if (line.empty() || line.back() != '\n')
      continue;  // a longer line: read on
    line.pop_back();
    if (line.find_first_not_of(" \t\r") != std::string::npos)
      handle(line, write);
    line.clear();
  }
  stop();  // waits for calls in flight, so their answers are written
  return 0;
}

void mcp_server::mount(http::router& routes, const std::string& path) {
  // Open GET streams, each a sink for notifications.
  struct streams {
    std::mutex mutex;
    std::list<std::shared_ptr<http::event_sink>> open;
  };
  auto s = std::make_shared<streams>();
  on_notification([s](const std::string& text) {
    std::lock_guard<std::mutex> guard{s->mutex};
    for (auto it = s->open.begin(); it != s->open.end();)
      it = (*it)->send("event: message\ndata: " + text + "\n\n") ? std::next(it) : s->open.erase(it);
  });
  start_watching();
  auto self = impl_;
  routes.add(path, [self, s, server = this](http::request&& req, const http::responder& out) {
    if (req.method == "GET") {
      if (req.header("Accept").value_or("").find("text/event-stream") == std::string::npos)
        return out.reply(http::error_response(406, "micro.mcp", "GET " + req.path + " streams text/event-stream"));
      http::response head;
      head.content_type = "text/event-stream";
      head.headers["Cache-Control"] = "no-cache";
      auto sink = out.start_stream(std::move(head));
      if (!sink)
        return;
      sink->send(": notifications follow\n\n");  // the head and a first byte, so the client sees it open
      {
        std::lock_guard<std::mutex> guard{s->mutex};
        s->open.push_back(sink);
      }
      // Forgotten when the client hangs up (the sink holds its connection).
      sink->on_peer_gone([weak_s = std::weak_ptr<streams>(s), weak_sink = std::weak_ptr<http::event_sink>(sink)] {
        auto live = weak_s.lock();
        auto gone = weak_sink.lock();
        if (!live || !gone)
          return;
        std::lock_guard<std::mutex> guard{live->mutex};
        live->open.remove(gone);
      });
      return;
    }
    if (req.method == "DELETE")
      return out.reply(http::json_response("{}"));
    if (req.method != "POST")
      return out.reply(http::error_response(405, "micro.mcp", req.method + " is not supported on " + req.path));
    bool initialize = req.body.find("\"initialize\"") != std::string::npos;
    auto session = req.header("Mcp-Session-Id").value_or(initialize ? random_hex() : std::string{});
    auto answered = std::make_shared<std::atomic<bool>>(false);
    server->handle(req.body, [out, session, answered](std::string text) {
      answered->store(true);
      http::response rsp;
      rsp.body = std::move(text);
      if (!session.empty())
        rsp.headers["Mcp-Session-Id"] = session;
      out.reply(std::move(rsp));
    });
    // Only notifications or responses: accepted, nothing to answer. (A request's answer may come
    // later from a worker; then `out` is still held by its callback and this reply is ignored.)
    auto parsed = nlohmann::json::parse(req.body, nullptr, false);
    auto has_request = [](const nlohmann::json& m) { return m.is_object() && m.contains("id") && m.contains("method"); };
    bool any_request = parsed.is_discarded() || (parsed.is_array() ? std::any_of(parsed.begin(), parsed.end(), has_request)
                                                                   : has_request(parsed) || !parsed.is_object());
    if (!any_request && !answered->load()) {
      http::response accepted;
      accepted.status = 202;
      accepted.content_type.clear();
      out.reply(std::move(accepted));
    }
  });
}

}  // namespace micro::api
