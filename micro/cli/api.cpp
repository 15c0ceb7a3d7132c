// micro api: the HTTP/JSON gateway (api/gateway.hpp) as a process, until SIGINT/SIGTERM.
#include <poll.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <memory>

#include "api/gateway.hpp"
#include "micro/cli/args.hpp"
#include "micro/cli/commands.hpp"
#include "web/dashboard.hpp"

namespace micro::cli {

namespace {

std::atomic<int> stop_pipe{-1};

extern "C" void on_api_signal(int) {
  char byte = 1;
  auto ignored = ::write(stop_pipe.load(), &byte, 1);
  static_cast<void>(ignored);
}

result<std::size_t> count(const std::string& flag, const std::string& v) {
  if (v.empty() || v.size() > 7 || v.find_first_not_of("0123456789") != std::string::npos || std::stoul(v) == 0)
    return errors::bad_request(cli_error_id, "invalid " + flag + " \"" + v + "\": expected a whole number from 1");
  return static_cast<std::size_t>(std::stoul(v));
}

result<std::chrono::milliseconds> duration(const std::string& flag, const std::string& v) {
  auto d = parse_duration(v);
  if (!d || *d < std::chrono::milliseconds{1})
    return errors::bad_request(cli_error_id, "invalid " + flag + " \"" + v + "\": expected a duration such as 5s");
  return std::chrono::duration_cast<std::chrono::milliseconds>(*d);
}

status parse(const std::vector<std::string>& args, api::gateway_options& o, std::string& web_prefix) {
  if (const char* env = std::getenv("MICRO_API_ADDRESS"); env != nullptr && *env != '\0')
    o.address = env;
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string v;
    auto is = [&](const char* flag) -> result<bool> { return take_value(args, i, flag, v); };
    for (const char* flag : {"--address", "--timeout", "--max_timeout", "--max_body", "--max_concurrency",
                             "--workers", "--max_streams", "--cors", "--subscribe_address", "--web"}) {
      auto took = is(flag);
      if (!took)
        return took.error();
      if (!*took)
        continue;
      std::string f = flag;
      if (f == "--address") {
        o.address = v;
      } else if (f == "--web") {
        if (v != "none" && (v.size() < 2 || v[0] != '/' || v.find_first_of("?#") != std::string::npos))
          return errors::bad_request(cli_error_id, "invalid --web \"" + v + "\": expected a path such as /web, or none");
        web_prefix = v == "none" ? "" : v;
      } else if (f == "--subscribe_address") {
        o.subscribe_address = v;
      } else if (f == "--timeout" || f == "--max_timeout") {
        auto d = duration(f, v);
        if (!d)
          return d.error();
        (f == "--timeout" ? o.default_timeout : o.max_timeout) = *d;
      } else if (f == "--max_body") {
        auto n = parse_size(v);
        if (!n || *n == 0)
          return errors::bad_request(cli_error_id, "invalid --max_body \"" + v + "\": expected a size such as 1MiB");
        o.max_body = *n;
      } else if (f == "--cors") {
        o.cors_origins.clear();
        std::size_t at = 0;
        while (at <= v.size()) {
          auto comma = v.find(',', at);
          if (comma == std::string::npos)
            comma = v.size();
          if (comma > at)
            o.cors_origins.push_back(v.substr(at, comma - at));
          at = comma + 1;
        }
      } else {
        auto n = count(f, v);
        if (!n)
          return n.error();
        (f == "--max_concurrency" ? o.max_concurrency : f == "--workers" ? o.workers : o.max_streams) = *n;
      }
      goto next;
    }
    return errors::bad_request(cli_error_id, "micro api: unknown argument \"" + args[i] + "\"");
  next:;
  }
  return {};
}

}  // namespace

int api(micro::client& client, const std::vector<std::string>& args) {
  api::gateway_options o;
  std::string web_prefix = "/web";  // the dashboard's path; empty: none (a service named "web" then has its path back)
  if (auto st = parse(args, o, web_prefix); !st)
    return fail(st.error());
  if (auto st = client.configured(); !st)
    return fail(st.error());
  int fds[2];
  if (::pipe(fds) != 0)
    return fail(errors::internal_server_error(cli_error_id, "cannot create the signal pipe"));
  stop_pipe.store(fds[1]);
  struct sigaction sa{};
  sa.sa_handler = on_api_signal;
  ::sigemptyset(&sa.sa_mask);
  ::sigaction(SIGINT, &sa, nullptr);
  ::sigaction(SIGTERM, &sa, nullptr);
  api::gateway gw{client, o};
  web::dashboard_options wo;
  wo.prefix = web_prefix;
  std::unique_ptr<web::dashboard> dash;  // micro web serves it alone
  http::router routes;
  if (!web_prefix.empty()) {
    dash = std::make_unique<web::dashboard>(client, wo);
    dash->mount(routes);
  }
  if (auto st = gw.listen(routes); !st)
    return fail(st.error());
  std::cerr << "micro api: listening on http://" << gw.address() << " (registry " << client.registry()->name()
            << "; POST /SERVICE/Service/Method, /publish/TOPIC, GET /subscribe/TOPIC, /health, /ready"
            << (web_prefix.empty() ? std::string{} : ", the dashboard at " + web_prefix + "/") << ")"
            << std::endl;
  pollfd pfd{fds[0], POLLIN, 0};
  while (::poll(&pfd, 1, -1) < 0) {
  }
  gw.stop();
  if (dash)
    dash->stop();
  std::cerr << "micro api: stopped" << std::endl;
  return 0;
}

}  // namespace micro::cli
