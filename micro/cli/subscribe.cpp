// micro subscribe TOPIC [--queue GROUP] [--metadata]: a service of its own that subscribes to
// TOPIC and prints each publication as one JSON line, until SIGINT or SIGTERM.
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <iostream>
#include <thread>

#include <nlohmann/json.hpp>

#include "micro/cli/args.hpp"
#include "micro/cli/commands.hpp"
#include "micro/cli/json_text.hpp"
#include "micro/service.hpp"
#include "micro/trace.hpp"
#include "registry/registry.hpp"

namespace micro::cli {

namespace {

constexpr const char* usage = "usage: micro subscribe TOPIC [--queue GROUP] [--metadata]";

using json = nlohmann::json;

// One line per publication: the body as JSON if it is JSON, else as a string.
std::string render(const raw_message& in, bool with_metadata) {
  if (!with_metadata)
    return as_json(in.body) + "\n";
  // The trace context (micro/trace.hpp) on a field of its own: "metadata" shows what the
  // publisher's -m gave.
  auto md = in.metadata;
  std::string trace;
  if (auto it = md.find(traceparent_key); it != md.end()) {
    trace = json(it->second).dump();
    md.erase(it);
  }
  auto metadata = json(md).dump(-1, ' ', false, json::error_handler_t::replace);
  return "{\"metadata\":" + metadata + (trace.empty() ? "" : ",\"traceparent\":" + trace) + ",\"body\":"
         + as_json(in.body) + "}\n";
}

}  // namespace

int subscribe(const micro::options& base, const std::vector<std::string>& args) {
  std::vector<std::string> positional;
  std::string queue;
  bool queue_given = false;
  bool with_metadata = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const auto& arg = args[i];
    if (arg == "--queue") {
      if (i + 1 == args.size())
        return fail(errors::bad_request(cli_error_id, "--queue needs a group name; " + std::string{usage}));
      queue = args[++i];
      queue_given = true;
    } else if (arg.rfind("--queue=", 0) == 0) {
      queue = arg.substr(8);
      queue_given = true;
    } else if (arg == "--metadata") {
      with_metadata = true;
    } else if (arg.rfind("--", 0) == 0) {
      return fail(errors::bad_request(cli_error_id, "unknown flag \"" + arg + "\"; " + usage));
    } else {
      positional.push_back(arg);
    }
  }
  if (positional.size() != 1)
    return fail(errors::bad_request(cli_error_id, usage));
  const auto& topic = positional[0];
  if (topic.empty())
    return fail(errors::bad_request(cli_error_id, "cannot subscribe to an empty topic; " + std::string{usage}));
  // The registry advertises a node's groups of a topic as a comma-separated list.
  if (queue_given && (queue.empty() || queue.find(',') != std::string::npos))
    return fail(errors::bad_request(cli_error_id, "invalid queue group \"" + queue + "\": not empty, no ','"));

  // A service of its own: "micro-cli-PID" on loopback unless configured otherwise.
  auto opts = base;
  if (opts.name.empty())
    opts.name = "micro-cli-" + std::to_string(::getpid());
  if (opts.server_address == micro::options{}.server_address)
    opts.server_address = "127.0.0.1:0";
  micro::service svc{opts};
  svc.server().subscribe_raw(
    topic, "json",
    [with_metadata](const context&, const raw_message& in) -> status {
      std::cout << render(in, with_metadata) << std::flush;  // one write per line
      return {};
    },
    subscribe_options{}.with_queue(queue));

  // Subscribed and registered once start() returns; run() then installs its SIGINT/SIGTERM
  // handlers (start() again is a no-op) and waits. The readiness line comes once a signal stops
  // us cleanly and once publishers can find us: with mdns, Avahi announces a registration only
  // after probing (about a second), and a publisher that does not see a subscriber yet succeeds
  // without delivering to it, so we wait until a browser of our own sees this node.
  struct sigaction before{};
  ::sigaction(SIGTERM, nullptr, &before);
  if (auto st = svc.start(); !st)
    return fail(st.error());
  const auto registry_name = svc.client().registry()->name();
  const auto node_id = svc.node_id();
  const auto ready_line = "micro subscribe: subscribed to " + topic
                          + (queue.empty() ? "" : " in queue group " + queue) + " as " + node_id + " at "
                          + svc.address() + ", registry " + registry_name + "\n";
  std::atomic<bool> returned{false};
  std::thread announce{[&] {
    using clock = std::chrono::steady_clock;
    auto until = clock::now() + std::chrono::seconds{10};
    for (;;) {
      struct sigaction now{};
      ::sigaction(SIGTERM, nullptr, &now);
      if (returned.load() || now.sa_handler != before.sa_handler || clock::now() >= until)
        break;
      std::this_thread::sleep_for(std::chrono::milliseconds{1});
    }
    if (registry_name == "static")
      std::cerr << "micro subscribe: warning: the static registry does not advertise subscriptions, so "
                   "publishers in other processes will not find this one\n";
    if (registry_name == "mdns") {
      auto browser = registry::make_registry("mdns");
      bool warned = false;
      auto visible = [&] {
        auto found = browser.value->get_service(opts.name);
        for (auto& version : found.value)
          for (auto& n : version.nodes)
            if (n.id == node_id && n.meta.count("sub:" + topic))
              return true;
        return false;
      };
      until = clock::now() + std::chrono::seconds{10};
      while (browser.ok() && !returned.load() && !visible()) {
        if (!warned && clock::now() >= until) {
          std::cerr << "micro subscribe: warning: after 10 s the Avahi daemon does not show " + node_id
                         + " yet; still waiting\n";
          warned = true;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds{20});
      }
    }
    if (!returned.load())
      std::cerr << ready_line << std::flush;
  }};
  int code = svc.run();
  returned = true;
  announce.join();
  return code;
}

}  // namespace micro::cli
