#pragma once
// micro::api::mcp_server: every endpoint the registry knows as a Model Context Protocol tool, so
// an AI agent can call services. JSON-RPC 2.0 over stdio (one message per line) or streamable
// HTTP (POST /mcp answers, GET /mcp streams notifications as SSE). Tools are named
// SERVICE.Service.Method ("greeter.Greeter.Hello"), take the request's JSON as arguments and
// answer the response's JSON as text; the list follows services as they come and go
// (notifications/tools/list_changed). Calls carry a deadline and a rate limit; an allow-list
// narrows what is offered.

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "api/proto_schema.hpp"
#include "http/router.hpp"
#include "micro/client.hpp"

namespace micro::api {

struct mcp_options {
  std::vector<std::string> allow;  // "greeter" (a service) or "greeter.Greeter.Hello" (a tool); empty: all
  std::chrono::milliseconds timeout{10000};  // each tool call's deadline
  double rate = 0;                           // tool calls per second in all; 0: no limit
  std::chrono::milliseconds refresh{1000};   // how often the registry is read for list changes
  std::shared_ptr<const proto_schemas> schemas;  // input schemas by request type; null: generic objects
};

class mcp_server {
 public:
  explicit mcp_server(micro::client& client, mcp_options opts = {});
  ~mcp_server();  // stop()
  mcp_server(const mcp_server&) = delete;
  mcp_server& operator=(const mcp_server&) = delete;

  /// Handles one JSON-RPC message or batch (text) and calls `reply` with the answer text once
  /// (maybe later, from another thread: tools/call runs on the server's threads), or never for
  /// notifications and responses.
  void handle(const std::string& message, std::function<void(std::string)> reply);
  /// Where notifications go (stdio: stdout; HTTP: every open GET stream).
  void on_notification(std::function<void(const std::string&)> sink);

  /// Reads the registry every `refresh` and sends notifications/tools/list_changed when the
  /// tools change. Idempotent.
  void start_watching();
  /// Serves JSON-RPC on `in`/`out`, one message per line, until `in` ends. Returns 0.
  int run_stdio(std::FILE* in, std::FILE* out);
  /// Adds streamable HTTP at `path` to `routes`.
  void mount(http::router& routes, const std::string& path = "/mcp");
  /// Stops watching and waits for the calls in flight. Idempotent.
  void stop();

  struct impl;

 private:
  std::shared_ptr<impl> impl_;
};

}  // namespace micro::api
