// micro web: the dashboard (web/dashboard.hpp) as a process, until SIGINT/SIGTERM.
#include <poll.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdlib>
#include <iostream>

#include "micro/cli/args.hpp"
#include "micro/cli/commands.hpp"
#include "web/dashboard.hpp"

namespace micro::cli {

namespace {

std::atomic<int> web_stop_pipe{-1};

extern "C" void on_web_signal(int) {
  char byte = 1;
  auto ignored = ::write(web_stop_pipe.load(), &byte, 1);
  static_cast<void>(ignored);
}

status parse_web(const std::vector<std::string>& args, web::dashboard_options& o) {
  if (const char* env = std::getenv("MICRO_WEB_ADDRESS"); env != nullptr && *env != '\0')
    o.address = env;
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string v;
    bool matched = false;
    for (const char* flag : {"--address", "--interval", "--timeout", "--max_body", "--max_streams"}) {
      auto took = take_value(args, i, flag, v);
      if (!took)
        return took.error();
      if (!*took)
        continue;
      matched = true;
      std::string f = flag;
      if (f == "--address") {
        o.address = v;
      } else if (f == "--interval" || f == "--timeout") {
        auto d = parse_duration(v);
        if (!d || *d < std::chrono::milliseconds{100})
          return errors::bad_request(cli_error_id, "invalid " + f + " \"" + v + "\": expected a duration from 100ms, such as 1s");
        (f == "--interval" ? o.interval : o.call_timeout) = std::chrono::duration_cast<std::chrono::milliseconds>(*d);
      } else if (f == "--max_body") {
        auto n = parse_size(v);
        if (!n || *n == 0)
          return errors::bad_request(cli_error_id, "invalid --max_body \"" + v + "\": expected a size such as 256KiB");
        o.max_body = *n;
      } else {
        if (v.empty() || v.size() > 5 || v.find_first_not_of("0123456789") != std::string::npos || std::stoul(v) == 0)
          return errors::bad_request(cli_error_id, "invalid --max_streams \"" + v + "\": expected a whole number from 1");
        o.max_streams = std::stoul(v);
      }
      break;
    }
    if (!matched)
      return errors::bad_request(cli_error_id, "micro web: unknown argument \"" + args[i] + "\"");
  }
  return {};
}

}  // namespace

int web(micro::client& client, const std::vector<std::string>& args) {
  web::dashboard_options o;
  if (auto st = parse_web(args, o); !st)
    return fail(st.error());
  if (auto st = client.configured(); !st)
    return fail(st.error());
  int fds[2];
  if (::pipe(fds) != 0)
    return fail(errors::internal_server_error(cli_error_id, "cannot create the signal pipe"));
  web_stop_pipe.store(fds[1]);
  struct sigaction sa{};
  sa.sa_handler = on_web_signal;
  ::sigemptyset(&sa.sa_mask);
  ::sigaction(SIGINT, &sa, nullptr);
  ::sigaction(SIGTERM, &sa, nullptr);
  web::dashboard dash{client, o};
  if (auto st = dash.listen(); !st)
    return fail(st.error());
  std::cerr << "micro web: listening on http://" << dash.address() << o.prefix << "/ (registry "
            << client.registry()->name() << ")" << std::endl;
  pollfd pfd{fds[0], POLLIN, 0};
  while (::poll(&pfd, 1, -1) < 0) {
  }
  dash.stop();
  std::cerr << "micro web: stopped" << std::endl;
  return 0;
}

}  // namespace micro::cli
