#pragma once
// Everything a user can configure, in one place. Options are set in code, then overridden by
// MICRO_* environment variables, then by command-line flags (the go-micro order). One table
// (option_table) drives all three, `--help`, and the README's configuration table.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "micro/context.hpp"
#include "micro/result.hpp"

namespace micro {

struct options {
  // -- service ---------------------------------------------------------------
  std::string name;                       // service name; required to serve
  std::string version = "latest";
  micro::metadata metadata;               // node metadata advertised in the registry
  std::string server_address = "0.0.0.0:0";  // host:port to bind; port 0 = any free port
  std::string advertise;                  // host:port to register instead of the bound address
  std::size_t max_concurrency = 64;       // handlers running at once per service
  std::size_t max_streams = 1024;         // stream handlers at once per service (a thread each)
  std::chrono::milliseconds drain_timeout{5000};  // graceful shutdown bound for in-flight calls
  std::chrono::seconds register_ttl{90};
  std::chrono::seconds register_interval{30};
  std::string http_address;               // host:port for /health and /ready over HTTP; empty: off
  // -- transport -------------------------------------------------------------
  std::string transport = "tcp";          // tcp | caf (BASP) | memory: how this node takes unary calls
  // -- registry --------------------------------------------------------------
  std::string registry = "mdns";          // mdns | memory | static
  std::string registry_address;           // backend specific; static: name=host:port,...
  // -- broker ----------------------------------------------------------------
  std::string broker = "actor";           // actor (micro's own, no server) | nats
  std::string broker_address;             // nats: nats://127.0.0.1:4222 when empty
  std::string publish_mode = "async";     // async | acknowledged: what publish waits for (README, Pub/sub)
  std::size_t publish_queue_limit = 65536;  // async publications queued or in flight per client; more: 429
  std::size_t broker_batch = 256;         // actor broker: publications per message to a node at most
  std::size_t broker_batches_in_flight = 2;  // actor broker: unanswered batches per node
  std::chrono::microseconds broker_linger{0};  // actor broker: wait for a fuller batch when idle (0: never)
  // -- client ----------------------------------------------------------------
  std::chrono::milliseconds request_timeout{5000};
  std::string content_type;               // empty = the request type's natural codec
  std::string selector = "random";        // random | roundrobin | leastconn | latency
  std::size_t retries = 1;                // further attempts after a failed one (0: none)
  std::chrono::milliseconds retry_backoff{10};  // first back-off; doubles per retry, jittered
  std::size_t failure_threshold = 5;      // failures in a row that open a node's circuit
  std::chrono::milliseconds circuit_backoff{1000};  // first open period; doubles per relapse
  // -- streams ---------------------------------------------------------------
  uint32_t stream_window = 64;            // messages a receiver takes ahead of reading them
  // -- transport: what one peer may cost this process (every connection, both directions) --
  std::size_t max_frame_size = 16u << 20;  // bytes one message may claim; larger closes the connection
  std::chrono::milliseconds handshake_timeout{5000};  // connect to completed handshake
  std::chrono::milliseconds idle_timeout{60000};  // no complete frame for this long closes; 0: never
  std::size_t max_connections = 1024;  // lowered to leave fds free (README: Configuration)
  // -- TLS (transport tcp, broker nats; README: Security) ----------------------
  std::string tls_cert;                   // this node's certificate (PEM); needed to serve over TLS
  std::string tls_key;                    // its private key (PEM)
  std::string tls_ca;                     // the CA peers' certificates must chain to; set: TLS on
  bool tls_mutual = false;                // serving: require a client certificate signed by tls_ca
  // -- codecs: bytes of one message body, encoded or decoded, every codec (codecs/limits.hpp) --
  std::size_t codec_max_message_size = std::size_t{16} << 20;
  // -- runtime (CAF) ---------------------------------------------------------
  std::string scheduler = "sharing";      // sharing | stealing: sharing measured faster here
  std::size_t scheduler_threads = 0;      // 0 = auto: half the cores, at least 1 (measured best)
  std::chrono::milliseconds heartbeat_interval{1000};  // detects frozen peers, with:
  std::chrono::milliseconds connection_timeout{5000};
  // -- where the environment is read -------------------------------------------
  // MICRO_* variables override what code set, wherever micro reads them: service::init,
  // micro::client's constructor, and apply_flags (which reads them first, so flags win).
  // false: these options are taken exactly as code set them.
  bool read_environment = true;
  // Set once the environment has been applied; it is read at most once, so flags or code applied
  // afterwards keep precedence over it.
  bool environment_applied = false;

  // Fluent setters for code.
  options& with_name(std::string v) { name = std::move(v); return *this; }
  options& with_version(std::string v) { version = std::move(v); return *this; }
  options& with_metadata(std::string k, std::string v) { metadata[std::move(k)] = std::move(v); return *this; }
  options& with_server_address(std::string v) { server_address = std::move(v); return *this; }
  options& with_registry(std::string v, std::string address = {}) {
    registry = std::move(v);
    registry_address = std::move(address);
    return *this;
  }
  options& with_request_timeout(std::chrono::milliseconds v) { request_timeout = v; return *this; }
  options& with_max_concurrency(std::size_t v) { max_concurrency = v; return *this; }
  options& with_selector(std::string v) { selector = std::move(v); return *this; }
  options& with_broker(std::string v, std::string address = {}) {
    broker = std::move(v);
    broker_address = std::move(address);
    return *this;
  }
  options& with_publish_mode(std::string v) { publish_mode = std::move(v); return *this; }
  options& with_retries(std::size_t v) { retries = v; return *this; }
  options& with_environment(bool read) { read_environment = read; return *this; }
  options& with_transport(std::string v) { transport = std::move(v); return *this; }
  options& with_http_address(std::string v) { http_address = std::move(v); return *this; }
};

/// One configurable option: its key, environment variable, flag and help.
struct option_info {
  const char* key;   // "server_address"
  const char* env;   // "MICRO_SERVER_ADDRESS"
  const char* flag;  // "--server_address" (also accepted with '-' for '_')
  const char* help;
};

const std::vector<option_info>& option_table();

/// Sets one option from text ("5s", "127.0.0.1:0", ...). 400 error naming the option if bad.
status set_option(options& opts, const std::string& key, const std::string& value);

/// Applies every MICRO_* variable of the table that is set in the environment, once: nothing
/// when `opts.read_environment` is false or `opts.environment_applied` is already true.
status apply_environment(options& opts);

/// Applies flags (`--key=value` or `--key value`); positional arguments go to `positional`
/// (nullptr: they are an error). `--help` is reported as `help_requested`. Applies the
/// environment first if that has not happened yet (code < MICRO_* < flags).
struct flag_outcome {
  bool help_requested = false;
};
result<flag_outcome> apply_flags(options& opts, int argc, const char* const* argv,
                                 std::vector<std::string>* positional = nullptr);

/// Usage text listing every option with its env var and current value.
std::string help_text(const options& current);

/// Parses a byte count: "4096", "64KiB", "16MiB", "1GiB".
result<std::size_t> parse_size(const std::string& text);

/// Parses "250ms", "5s", "1m", "2h", "100us"; a unit is required.
result<std::chrono::nanoseconds> parse_duration(const std::string& text);

}  // namespace micro
