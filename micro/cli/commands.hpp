#pragma once
// The `micro` command line tool: one function per command. Each returns the process exit code.

#include <string>
#include <vector>

#include "micro/client.hpp"
#include "micro/options.hpp"

namespace micro::cli {

/// micro call SERVICE ENDPOINT [JSON] [-m key=value ...] [--content_type T]
int call(micro::client& client, const std::vector<std::string>& args);

/// micro health SERVICE: one line per node; non-zero exit if any node is not ok.
int health(micro::client& client, const std::vector<std::string>& args);

/// micro services: the name of every registered service, sorted, one per line (several versions
/// of a name are one line). No services: no output, exit 0.
int services(micro::client& client, const std::vector<std::string>& args);

/// micro describe SERVICE [--output text|json]: every version of SERVICE with its metadata,
/// nodes and endpoints. `--output json` prints a JSON array with one object per version, in
/// registry/json.hpp's form (go-micro's field names): [{"name","version","metadata",
/// "endpoints":[{"name","request","response","metadata"}],"nodes":[{"id","address","metadata"}]}].
int describe(micro::client& client, const std::vector<std::string>& args);

/// micro publish TOPIC JSON [-m key=value ...]: publishes the JSON body (application/json);
/// exit 0 once every node that subscribes to TOPIC accepted it (also when none does). A body
/// that is not JSON, an empty topic or missing arguments: 400.
int publish(micro::client& client, const std::vector<std::string>& args);

/// micro stream SERVICE ENDPOINT [-m key=value ...] [--timeout DURATION] [--window N]: opens a
/// stream (application/json both ways), sends each line of stdin as one message (blank lines are
/// skipped), half-closes at the end of stdin and prints each message received as one JSON line
/// on stdout as it arrives. --timeout bounds the whole stream (408), --window is the credit the
/// server gets. Exit 0 once the server ended the stream well (also while stdin is still open);
/// else its error. A line that is not JSON cancels the stream: 400 naming the line.
int stream(micro::client& client, const std::vector<std::string>& args);

/// micro bench SERVICE ENDPOINT [JSON] [--duration D | --requests N] [--concurrency C] [--rate R]
/// [--strategy S] [--timeout D] [--interval D] [--output text|json] [-m key=value ...]: calls
/// the endpoint (as `micro call` does: registry, selector, JSON body) from C threads for D
/// (default 10s) or N calls; prints calls/s, p50/p90/p99 latency, errors by code and calls per
/// answering node (progress lines on stderr every --interval). Exit 1 if every call failed;
/// bad arguments: 400 before any call.
int bench(micro::client& client, const std::vector<std::string>& args);

/// micro subscribe TOPIC [--queue GROUP] [--metadata]: runs a service ("micro-cli-PID" unless
/// named, on 127.0.0.1:0 unless an address is configured) subscribed to TOPIC; prints each
/// publication as one JSON line on stdout (the body as JSON if it is, else as a string; with
/// --metadata {"metadata":{...},"body":...}). Once subscribed, registered and ready for signals
/// it prints "micro subscribe: subscribed to TOPIC ..." on stderr. Runs until SIGINT/SIGTERM, exit 0.
int subscribe(const micro::options& opts, const std::vector<std::string>& args);

/// micro api [--address HOST:PORT] [--timeout D] [--max_timeout D] [--max_body SIZE]
/// [--max_concurrency N] [--workers N] [--max_streams N] [--cors ORIGIN,...] [--subscribe_address A]
/// [--web PATH|none]: the HTTP/JSON
/// gateway (api/gateway.hpp) on --address (MICRO_API_ADDRESS, default 127.0.0.1:8080), with the
/// dashboard (web/dashboard.hpp) under --web (default /web; none: without it); prints
/// "micro api: listening on http://HOST:PORT ..." on stderr once it serves; runs until
/// SIGINT/SIGTERM, exit 0. Bad flags: 400; an address it cannot listen on: 503.
int api(micro::client& client, const std::vector<std::string>& args);

/// micro mcp [--http HOST:PORT] [--allow NAME,...] [--timeout D] [--rate R] [--refresh D] [--descriptors F]: every
/// unary endpoint as an MCP tool (api/mcp.hpp): JSON-RPC on stdin/stdout, or streamable HTTP at
/// http://HOST:PORT/mcp until SIGINT/SIGTERM. --allow: services or SERVICE.Service.Method tools
/// offered (default all); --timeout: each call's deadline (10s); --rate: calls/s in all;
/// --refresh: how often the registry is read for list changes (1s); --descriptors FILE: a
/// protoc FileDescriptorSet whose messages give the tools' input schemas.
int mcp(micro::client& client, const std::vector<std::string>& args);

/// micro web [--address HOST:PORT] [--interval D] [--timeout D] [--max_body SIZE] [--max_streams N]:
/// the dashboard (web/dashboard.hpp) at http://HOST:PORT/web/ (--address or MICRO_WEB_ADDRESS,
/// default 127.0.0.1:8082); prints "micro web: listening on http://HOST:PORT/web/ ..." on stderr
/// once it serves; runs until SIGINT/SIGTERM, exit 0. Bad flags: 400; an address it cannot listen on: 503.
int web(micro::client& client, const std::vector<std::string>& args);

/// A registry failure as a coded error: not_found 404, invalid_argument 400, anything else
/// (unavailable, stopped) 503. The detail is the registry's own message.
micro::error registry_error(const registry::status& st);

/// Prints an error as go-micro's JSON on stderr; returns the exit code to use.
int fail(const micro::error& err);

}  // namespace micro::cli
