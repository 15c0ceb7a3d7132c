// micro mcp: every endpoint as a Model Context Protocol tool (api/mcp.hpp), over stdio (the
// default: an MCP client starts `micro mcp` as its server) or streamable HTTP (--http ADDRESS).
#include <poll.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <iostream>

#include "api/mcp.hpp"
#include "http/health.hpp"
#include "http/server.hpp"
#include "micro/cli/args.hpp"
#include "micro/cli/commands.hpp"

namespace micro::cli {

namespace {

std::atomic<int> mcp_stop_pipe{-1};

extern "C" void on_mcp_signal(int) {
  char byte = 1;
  auto ignored = ::write(mcp_stop_pipe.load(), &byte, 1);
  static_cast<void>(ignored);
}

std::vector<std::string> split_commas(const std::string& v) {
  std::vector<std::string> out;
  std::size_t at = 0;
  while (at <= v.size()) {
    auto comma = v.find(',', at);
    if (comma == std::string::npos)
      comma = v.size();
    if (comma > at)
      out.push_back(v.substr(at, comma - at));
    at = comma + 1;
  }
  return out;
}

}  // namespace

int mcp(micro::client& client, const std::vector<std::string>& args) {
  api::mcp_options o;
  std::string http_address;
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string v;
    auto http = take_value(args, i, "--http", v);
    if (!http)
      return fail(http.error());
    if (*http) {
      http_address = v;
      continue;
    }
    auto allow = take_value(args, i, "--allow", v);
    if (!allow)
      return fail(allow.error());
    if (*allow) {
      auto more = split_commas(v);
      o.allow.insert(o.allow.end(), more.begin(), more.end());
      continue;
    }
    auto timeout = take_value(args, i, "--timeout", v);
    if (!timeout)
      return fail(timeout.error());
    if (*timeout) {
      auto d = parse_duration(v);
      if (!d || *d < std::chrono::milliseconds{1})
        return fail(errors::bad_request(cli_error_id, "invalid --timeout \"" + v + "\": expected a duration such as 10s"));
      o.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(*d);
      continue;
    }
    auto rate = take_value(args, i, "--rate", v);
    if (!rate)
      return fail(rate.error());
    if (*rate) {
      char* end = nullptr;
      o.rate = std::strtod(v.c_str(), &end);
      if (v.empty() || end == nullptr || *end != '\0' || o.rate <= 0)
        return fail(errors::bad_request(cli_error_id, "invalid --rate \"" + v + "\": expected calls per second above 0"));
      continue;
    }
    auto descriptors = take_value(args, i, "--descriptors", v);
    if (!descriptors)
      return fail(descriptors.error());
    if (*descriptors) {
      auto loaded = api::proto_schemas::load(v);
      if (!loaded)
        return fail(loaded.error());
      o.schemas = std::make_shared<const api::proto_schemas>(std::move(*loaded));
      continue;
    }
    auto refresh = take_value(args, i, "--refresh", v);
    if (!refresh)
      return fail(refresh.error());
    if (*refresh) {
      auto d = parse_duration(v);
      if (!d || *d < std::chrono::milliseconds{10})
        return fail(errors::bad_request(cli_error_id, "invalid --refresh \"" + v + "\": expected a duration of 10ms or more"));
      o.refresh = std::chrono::duration_cast<std::chrono::milliseconds>(*d);
      continue;
    }
    return fail(errors::bad_request(cli_error_id, "micro mcp: unknown argument \"" + args[i] + "\""));
  }
  if (auto st = client.configured(); !st)
    return fail(st.error());
  api::mcp_server server{client, o};
  if (http_address.empty()) {
    std::cerr << "micro mcp: serving MCP on stdio (registry " << client.registry()->name() << ")" << std::endl;
    return server.run_stdio(stdin, stdout);
  }
  int fds[2];
  if (::pipe(fds) != 0)
    return fail(errors::internal_server_error(cli_error_id, "cannot create the signal pipe"));
  mcp_stop_pipe.store(fds[1]);
  struct sigaction sa{};
  sa.sa_handler = on_mcp_signal;
  ::sigemptyset(&sa.sa_mask);
  ::sigaction(SIGINT, &sa, nullptr);
  ::sigaction(SIGTERM, &sa, nullptr);
  http::router routes;
  http::add_health(routes, [&client] { return static_cast<bool>(client.configured()); });
  server.mount(routes, "/mcp");
  http::server_options so;
  so.address = http_address;
  auto [listener, err] = http::server::start(so, routes.as_handler());
  if (!listener)
    return fail(make_error(cli_error_id, err.invalid ? 400 : 503, err.message));
  std::cerr << "micro mcp: listening on http://" << listener->address() << "/mcp (registry "
            << client.registry()->name() << ")" << std::endl;
  pollfd pfd{fds[0], POLLIN, 0};
  while (::poll(&pfd, 1, -1) < 0) {
  }
  listener->stop();
  server.stop();
  std::cerr << "micro mcp: stopped" << std::endl;
  return 0;
}

}  // namespace micro::cli
