// micro: the command line tool. Talks to services through the same registry and client as any
// service does, so what it sees is what they see.
#include <iostream>

#include "micro/cli/commands.hpp"
#include "micro/options.hpp"

namespace {

const char* usage =
  "usage: micro [options] COMMAND ...\n"
  "commands:\n"
  "  call SERVICE ENDPOINT [JSON] [-m key=value ...] [--content_type=T] [--idempotent] [-v]\n"
  "                          call an endpoint with a JSON body, print the JSON response\n"
  "                          (--idempotent: also retry it if its node dies mid-call)\n"
  "                          (-v: response metadata, e.g. the answering node, on stderr)\n"
  "  bench SERVICE ENDPOINT [JSON] [--duration D | --requests N] [--concurrency C] [--rate R]\n"
  "        [--strategy S] [--timeout D] [--interval D] [--output text|json] [-m key=value ...]\n"
  "                          call an endpoint steadily (as `call` does: registry, selector)\n"
  "                          for D (default 10s) or N calls from C threads (default 1); print\n"
  "                          calls/s, p50/p90/p99 latency, errors by code and calls per node\n"
  "                          (--rate: calls/s in all; --interval: progress lines on stderr)\n"
  "  health SERVICE          Debug.Health of every node of SERVICE\n"
  "  services [--nodes]      the registered service names, one per line; --nodes: every node\n"
  "                          with its version, id, host and address\n"
  "  describe SERVICE [--output text|json]\n"
  "                          versions, metadata, nodes and endpoints of SERVICE\n"
  "                          (json: an array, one object per version)\n"
  "  publish TOPIC JSON [-m key=value ...]\n"
  "                          publish a JSON message; exit 0 once every subscribing node\n"
  "                          accepted it\n"
  "  stream SERVICE ENDPOINT [-m key=value ...] [--timeout DURATION] [--window N]\n"
  "                          send each JSON line of stdin on a stream, print each message\n"
  "                          received as a JSON line; end of stdin half-closes (--timeout:\n"
  "                          the whole stream's deadline; --window: the server's credit)\n"
  "  api [--address HOST:PORT] [--timeout D] [--max_body SIZE] [--max_concurrency N] [--cors ORIGINS]\n"
  "                          HTTP/JSON gateway: POST /SERVICE/Service/Method with a JSON body,\n"
  "                          /publish/TOPIC, server streams as SSE (Accept: text/event-stream),\n"
  "                          GET /subscribe/TOPIC as SSE,\n"
  "                          GET /health and /ready, the dashboard at /web/ (--web PATH|none);\n"
  "                          until SIGINT/SIGTERM (default 127.0.0.1:8080,\n"
  "                          MICRO_API_ADDRESS)\n"
  "  web [--address HOST:PORT] [--interval D] [--timeout D] [--max_body SIZE] [--max_streams N]\n"
  "                          the dashboard at http://HOST:PORT/web/: services, nodes, health,\n"
  "                          charts summed over each service's nodes, a call form, topic and\n"
  "                          stream viewers (default 127.0.0.1:8082, MICRO_WEB_ADDRESS)\n"
  "  mcp [--http HOST:PORT] [--allow NAME,...] [--timeout D] [--rate R] [--descriptors FILE]\n"
  "                          every endpoint as a Model Context Protocol tool, on stdio\n"
  "                          (default) or streamable HTTP at http://HOST:PORT/mcp; input\n"
  "                          schemas from a protoc --descriptor_set_out FILE\n"
  "  subscribe TOPIC [--queue GROUP] [--metadata]\n"
  "                          print each message on TOPIC as a JSON line until SIGINT/SIGTERM\n"
  "                          (--queue: one of the group's members gets each message;\n"
  "                          --metadata: {\"metadata\":{...},\"body\":...})\n";

}  // namespace

int main(int argc, char** argv) {
  micro::options opts;
  std::vector<std::string> args;
  if (auto st = micro::apply_environment(opts); !st)
    return micro::cli::fail(st.error());
  auto flags = micro::apply_flags(opts, argc, argv, &args);
  if (!flags)
    return micro::cli::fail(flags.error());
  if (flags->help_requested || args.empty()) {
    std::cout << usage << micro::help_text(opts);
    return args.empty() && !flags->help_requested ? 2 : 0;
  }
  auto command = args.front();
  args.erase(args.begin());
  try {
    if (command == "subscribe")  // a service of its own, not a client
      return micro::cli::subscribe(opts, args);
    micro::client client{opts};
    if (command == "call")
      return micro::cli::call(client, args);
    if (command == "bench")
      return micro::cli::bench(client, args);
    if (command == "health")
      return micro::cli::health(client, args);
    if (command == "services")
      return micro::cli::services(client, args);
    if (command == "describe")
      return micro::cli::describe(client, args);
    if (command == "publish")
      return micro::cli::publish(client, args);
    if (command == "stream")
      return micro::cli::stream(client, args);
    if (command == "api")
      return micro::cli::api(client, args);
    if (command == "mcp")
      return micro::cli::mcp(client, args);
    if (command == "web")
      return micro::cli::web(client, args);
  } catch (const micro::error& e) {
    return micro::cli::fail(e);
  }
  std::cerr << "micro: unknown command \"" << command << "\"\n" << usage;
  return 2;
}
