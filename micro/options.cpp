#include "micro/options.hpp"

#include <algorithm>
#include <cstdlib>
#include <functional>
#include <sstream>

#include "broker/factory.hpp"
#include "metrics/metrics.hpp"
#include "micro/log.hpp"
#include "micro/selector.hpp"

namespace micro {

namespace {

constexpr const char* config_error_id = "micro.config";

error bad_value(const std::string& key, const std::string& value, const std::string& why) {
  return errors::bad_request(config_error_id, "invalid value \"" + value + "\" for " + key + ": " + why);
}

result<std::size_t> parse_count(const std::string& key, const std::string& value) {
  if (value.empty() || value.find_first_not_of("0123456789") != std::string::npos || value.size() > 9)
    return bad_value(key, value, "expected a positive whole number");
  auto n = std::stoul(value);
  if (n == 0)
    return bad_value(key, value, "must be at least 1");
  return static_cast<std::size_t>(n);
}

status set_count(std::size_t& out, const std::string& key, const std::string& value) {
  auto n = parse_count(key, value);
  if (!n)
    return n.error();
  out = *n;
  return {};
}

status set_seconds(std::chrono::seconds& out, const std::string& key, const std::string& value) {
  auto d = parse_duration(value);
  if (!d)
    return bad_value(key, value, d.error().detail);
  if (*d < std::chrono::seconds{1} || *d % std::chrono::seconds{1} != std::chrono::nanoseconds::zero())
    return bad_value(key, value, "must be a whole number of seconds, at least 1s");
  out = std::chrono::duration_cast<std::chrono::seconds>(*d);
  return {};
}

template <class Duration>
status set_duration(Duration& out, const std::string& key, const std::string& value) {
  auto d = parse_duration(value);
  if (!d)
    return bad_value(key, value, d.error().detail);
  out = std::chrono::duration_cast<Duration>(*d);
  return {};
}

// A byte count within [min, max], as parse_size reads it.
status set_size(std::size_t& out, const std::string& key, const std::string& value, std::size_t min,
                std::size_t max) {
  auto n = parse_size(value);
  if (!n)
    return bad_value(key, value, n.error().detail);
  if (*n < min || *n > max)
    return bad_value(key, value, "must be from " + std::to_string(min) + " to " + std::to_string(max) + " bytes");
  out = *n;
  return {};
}

std::string show_size(std::size_t n) {
  if (n != 0 && n % (std::size_t{1} << 20) == 0)
    return std::to_string(n >> 20) + "MiB";
  if (n != 0 && n % 1024 == 0)
    return std::to_string(n >> 10) + "KiB";
  return std::to_string(n);
}

status set_address(std::string& out, const std::string& key, const std::string& value) {
  auto colon = value.rfind(':');
  bool ok = colon != std::string::npos && colon > 0 && colon + 1 < value.size();
  unsigned long port = 0;
  for (auto i = colon + 1; ok && i < value.size(); ++i) {
    ok = value[i] >= '0' && value[i] <= '9';
    port = port * 10 + static_cast<unsigned long>(value[i] - '0');
    ok = ok && port <= 65535;
  }
  if (!ok)
    return bad_value(key, value, "expected host:port with a port from 0 to 65535");
  out = value;
  return {};
}

status set_metadata(micro::metadata& out, const std::string& key, const std::string& value) {
  micro::metadata parsed;  // applied only when all of it is valid
  std::stringstream in{value};
  std::string pair;
  while (std::getline(in, pair, ',')) {
    auto eq = pair.find('=');
    if (eq == std::string::npos || eq == 0)
      return bad_value(key, value, "expected key=value[,key=value...]");
    parsed[pair.substr(0, eq)] = pair.substr(eq + 1);
  }
  for (auto& [k, v] : parsed)
    out[k] = v;
  return {};
}

struct option_entry {
  option_info info;
  std::function<status(options&, const std::string&)> set;
  std::function<std::string(const options&)> show;
};

std::string show_ms(std::chrono::milliseconds d) { return std::to_string(d.count()) + "ms"; }

const std::vector<option_entry>& entries() {
  static const std::vector<option_entry> table = {
    {{"server_name", "MICRO_SERVER_NAME", "--server_name", "service name"},
     [](options& o, const std::string& v) -> status { o.name = v; return {}; },
     [](const options& o) { return o.name; }},
    {{"server_version", "MICRO_SERVER_VERSION", "--server_version", "service version"},
     [](options& o, const std::string& v) -> status { o.version = v; return {}; },
     [](const options& o) { return o.version; }},
    {{"server_metadata", "MICRO_SERVER_METADATA", "--server_metadata", "node metadata, k=v,k2=v2"},
     [](options& o, const std::string& v) { return set_metadata(o.metadata, "server_metadata", v); },
     [](const options& o) {
       std::string s;
       for (auto& [k, v] : o.metadata)
         s += (s.empty() ? "" : ",") + k + "=" + v;
       return s;
     }},
    {{"server_address", "MICRO_SERVER_ADDRESS", "--server_address", "host:port to listen on (port 0: any free port)"},
     [](options& o, const std::string& v) { return set_address(o.server_address, "server_address", v); },
     [](const options& o) { return o.server_address; }},
    {{"server_advertise", "MICRO_SERVER_ADVERTISE", "--server_advertise", "host:port to register instead of the bound address"},
     [](options& o, const std::string& v) { return set_address(o.advertise, "server_advertise", v); },
     [](const options& o) { return o.advertise; }},
    {{"http_address", "MICRO_HTTP_ADDRESS", "--http_address", "host:port for /health and /ready over HTTP (empty: off)"},
     [](options& o, const std::string& v) -> status {
       if (v.empty()) return o.http_address.clear(), status{};
       return set_address(o.http_address, "http_address", v);
     },
     [](const options& o) { return o.http_address; }},
    // Process-wide (not per service): they set the metrics and logging modules directly.
    {{"metrics", "MICRO_METRICS", "--metrics", "on: record metrics for /metrics; off: record none (process figures still shown)"},
     [](options&, const std::string& v) -> status {
       if (v != "on" && v != "off")
         return errors::bad_request(config_error_id, "invalid metrics \"" + v + "\": expected on or off");
       metrics::set_enabled(v == "on");
       return {};
     },
     [](const options&) { return std::string{metrics::enabled() ? "on" : "off"}; }},
    {{"log_format", "MICRO_LOG_FORMAT", "--log_format", "text, or json: one JSON object per line"},
     [](options&, const std::string& v) { return set_log_format(v); },
     [](const options&) { return std::string{log_json() ? "json" : "text"}; }},
    {{"log_level", "MICRO_LOG_LEVEL", "--log_level", "lowest level logged: debug, info, warn, error"},
     [](options&, const std::string& v) { return set_log_level(v); },
     [](const options&) { return log_level_name(); }},
    {{"server_max_concurrency", "MICRO_SERVER_MAX_CONCURRENCY", "--server_max_concurrency", "handlers running at once per service"},
     [](options& o, const std::string& v) { return set_count(o.max_concurrency, "server_max_concurrency", v); },
     [](const options& o) { return std::to_string(o.max_concurrency); }},
    {{"server_max_streams", "MICRO_SERVER_MAX_STREAMS", "--server_max_streams", "streams open at once per service (a handler thread each)"},
     [](options& o, const std::string& v) { return set_count(o.max_streams, "server_max_streams", v); },
     [](const options& o) { return std::to_string(o.max_streams); }},
    {{"server_drain_timeout", "MICRO_SERVER_DRAIN_TIMEOUT", "--server_drain_timeout", "how long shutdown waits for in-flight calls"},
     [](options& o, const std::string& v) { return set_duration(o.drain_timeout, "server_drain_timeout", v); },
     [](const options& o) { return show_ms(o.drain_timeout); }},
    {{"register_ttl", "MICRO_REGISTER_TTL", "--register_ttl", "registration TTL"},
     [](options& o, const std::string& v) { return set_seconds(o.register_ttl, "register_ttl", v); },
     [](const options& o) { return std::to_string(o.register_ttl.count()) + "s"; }},
    {{"register_interval", "MICRO_REGISTER_INTERVAL", "--register_interval", "re-registration interval"},
     [](options& o, const std::string& v) { return set_seconds(o.register_interval, "register_interval", v); },
     [](const options& o) { return std::to_string(o.register_interval.count()) + "s"; }},
    {{"transport", "MICRO_TRANSPORT", "--transport", "how a node takes unary calls: tcp | caf | memory"},
     [](options& o, const std::string& v) -> status {
       if (v != "caf" && v != "tcp" && v != "memory")
         return bad_value("transport", v, "expected caf, tcp or memory");
       o.transport = v;
       return {};
     },
     [](const options& o) { return o.transport; }},
    {{"registry", "MICRO_REGISTRY", "--registry", "registry backend: mdns | etcd | memory | static"},
     [](options& o, const std::string& v) -> status { o.registry = v; return {}; },
     [](const options& o) { return o.registry; }},
    {{"registry_address", "MICRO_REGISTRY_ADDRESS", "--registry_address", "backend address; static: name=host:port,...; etcd: http://host:2379,..."},
     [](options& o, const std::string& v) -> status { o.registry_address = v; return {}; },
     [](const options& o) { return o.registry_address; }},
    {{"broker", "MICRO_BROKER", "--broker", "pub/sub broker: actor (micro's own, no server) | nats"},
     [](options& o, const std::string& v) -> status {
       // The names broker/'s factory knows: a backend added there is accepted here unchanged.
       auto known = broker::backend_names();
       if (std::find(known.begin(), known.end(), v) == known.end()) {
         std::string list;
         for (auto& name : known)
           list += (list.empty() ? "" : ", ") + name;
         return bad_value("broker", v, "expected one of " + list);
       }
       o.broker = v;
       return {};
     },
     [](const options& o) { return o.broker; }},
    {{"broker_address", "MICRO_BROKER_ADDRESS", "--broker_address", "broker address; nats: nats://127.0.0.1:4222 when empty"},
     [](options& o, const std::string& v) -> status { o.broker_address = v; return {}; },
     [](const options& o) { return o.broker_address; }},
    {{"publish_mode", "MICRO_PUBLISH_MODE", "--publish_mode", "what publish waits for: async (queued locally) | acknowledged (every subscribing node accepted it)"},
     [](options& o, const std::string& v) -> status {
       if (v != "async" && v != "acknowledged")
         return bad_value("publish_mode", v, "expected async or acknowledged");
       o.publish_mode = v;
       return {};
     },
     [](const options& o) { return o.publish_mode; }},
    {{"publish_queue_limit", "MICRO_PUBLISH_QUEUE_LIMIT", "--publish_queue_limit", "async publications queued or in flight per client (more: refused with 429)"},
     [](options& o, const std::string& v) { return set_count(o.publish_queue_limit, "publish_queue_limit", v); },
     [](const options& o) { return std::to_string(o.publish_queue_limit); }},
    {{"broker_batch", "MICRO_BROKER_BATCH", "--broker_batch", "actor broker: publications per message to a node at most"},
     [](options& o, const std::string& v) { return set_count(o.broker_batch, "broker_batch", v); },
     [](const options& o) { return std::to_string(o.broker_batch); }},
    {{"broker_batches_in_flight", "MICRO_BROKER_BATCHES_IN_FLIGHT", "--broker_batches_in_flight", "actor broker: unanswered batches per node"},
     [](options& o, const std::string& v) { return set_count(o.broker_batches_in_flight, "broker_batches_in_flight", v); },
     [](const options& o) { return std::to_string(o.broker_batches_in_flight); }},
    {{"broker_linger", "MICRO_BROKER_LINGER", "--broker_linger", "actor broker: how long an idle node's batch waits to fill (0ms: never)"},
     [](options& o, const std::string& v) { return set_duration(o.broker_linger, "broker_linger", v); },
     [](const options& o) { return std::to_string(o.broker_linger.count()) + "us"; }},
    {{"client_request_timeout", "MICRO_CLIENT_REQUEST_TIMEOUT", "--client_request_timeout", "default call timeout"},
     [](options& o, const std::string& v) { return set_duration(o.request_timeout, "client_request_timeout", v); },
     [](const options& o) { return show_ms(o.request_timeout); }},
    {{"client_content_type", "MICRO_CLIENT_CONTENT_TYPE", "--client_content_type", "content type of requests (empty: by type)"},
     [](options& o, const std::string& v) -> status { o.content_type = v; return {}; },
     [](const options& o) { return o.content_type; }},
    {{"selector", "MICRO_SELECTOR", "--selector", "node selection: random | roundrobin | leastconn | latency"},
     [](options& o, const std::string& v) -> status {
       auto s = parse_strategy(v);
       if (!s)
         return bad_value("selector", v, s.error().detail);
       o.selector = v;
       return {};
     },
     [](const options& o) { return o.selector; }},
    {{"client_retries", "MICRO_CLIENT_RETRIES", "--client_retries", "attempts after a failed one, where a retry is safe (0: none)"},
     [](options& o, const std::string& v) -> status {
       if (v == "0") {
         o.retries = 0;
         return {};
       }
       return set_count(o.retries, "client_retries", v);
     },
     [](const options& o) { return std::to_string(o.retries); }},
    {{"client_retry_backoff", "MICRO_CLIENT_RETRY_BACKOFF", "--client_retry_backoff", "first retry back-off (doubles per retry, with jitter)"},
     [](options& o, const std::string& v) { return set_duration(o.retry_backoff, "client_retry_backoff", v); },
     [](const options& o) { return show_ms(o.retry_backoff); }},
    {{"stream_window", "MICRO_STREAM_WINDOW", "--stream_window", "stream messages a receiver takes ahead of reading them (flow control)"},
     [](options& o, const std::string& v) {
       std::size_t n = 0;
       if (auto st = set_count(n, "stream_window", v); !st)
         return st;
       if (n > 65536)
         return status{bad_value("stream_window", v, "must be at most 65536")};
       o.stream_window = static_cast<uint32_t>(n);
       return status{};
     },
     [](const options& o) { return std::to_string(o.stream_window); }},
    {{"selector_failure_threshold", "MICRO_SELECTOR_FAILURE_THRESHOLD", "--selector_failure_threshold", "failures in a row that open a node's circuit"},
     [](options& o, const std::string& v) { return set_count(o.failure_threshold, "selector_failure_threshold", v); },
     [](const options& o) { return std::to_string(o.failure_threshold); }},
    {{"selector_circuit_backoff", "MICRO_SELECTOR_CIRCUIT_BACKOFF", "--selector_circuit_backoff", "how long an open circuit skips its node (doubles per relapse)"},
     [](options& o, const std::string& v) { return set_duration(o.circuit_backoff, "selector_circuit_backoff", v); },
     [](const options& o) { return show_ms(o.circuit_backoff); }},
    {{"transport_max_frame_size", "MICRO_TRANSPORT_MAX_FRAME_SIZE", "--transport_max_frame_size", "largest message a peer may send (1KiB to 4GiB-1); a larger one closes its connection"},
     [](options& o, const std::string& v) {
       return set_size(o.max_frame_size, "transport_max_frame_size", v, 1024, 0xFFFFFFFFu);
     },
     [](const options& o) { return show_size(o.max_frame_size); }},
    {{"transport_handshake_timeout", "MICRO_TRANSPORT_HANDSHAKE_TIMEOUT", "--transport_handshake_timeout", "a connection that has not completed its handshake by then is closed"},
     [](options& o, const std::string& v) -> status {
       std::chrono::milliseconds d{};
       if (auto st = set_duration(d, "transport_handshake_timeout", v); !st)
         return st;
       if (d.count() <= 0)
         return bad_value("transport_handshake_timeout", v, "must be at least 1ms");
       o.handshake_timeout = d;
       return {};
     },
     [](const options& o) { return show_ms(o.handshake_timeout); }},
    {{"transport_idle_timeout", "MICRO_TRANSPORT_IDLE_TIMEOUT", "--transport_idle_timeout", "a connection with no complete frame for this long is closed (0ms: never; keep above heartbeat_interval)"},
     [](options& o, const std::string& v) { return set_duration(o.idle_timeout, "transport_idle_timeout", v); },
     [](const options& o) { return show_ms(o.idle_timeout); }},
    {{"transport_max_connections", "MICRO_TRANSPORT_MAX_CONNECTIONS", "--transport_max_connections", "connections at once, lowered to leave max(64, 1/8) of the fd limit free"},
     [](options& o, const std::string& v) { return set_count(o.max_connections, "transport_max_connections", v); },
     [](const options& o) { return std::to_string(o.max_connections); }},
    {{"tls_cert", "MICRO_TLS_CERT", "--tls_cert", "this node's TLS certificate (PEM file; transport tcp, broker nats)"},
     [](options& o, const std::string& v) -> status { o.tls_cert = v; return {}; },
     [](const options& o) { return o.tls_cert; }},
    {{"tls_key", "MICRO_TLS_KEY", "--tls_key", "the private key of tls_cert (PEM file)"},
     [](options& o, const std::string& v) -> status { o.tls_key = v; return {}; },
     [](const options& o) { return o.tls_key; }},
    {{"tls_ca", "MICRO_TLS_CA", "--tls_ca", "CA that peers' certificates must chain to (PEM file); set: TLS on"},
     [](options& o, const std::string& v) -> status { o.tls_ca = v; return {}; },
     [](const options& o) { return o.tls_ca; }},
    {{"tls_mutual", "MICRO_TLS_MUTUAL", "--tls_mutual", "serving over TLS, also require a client certificate signed by tls_ca: true | false"},
     [](options& o, const std::string& v) -> status {
       if (v != "true" && v != "false")
         return bad_value("tls_mutual", v, "expected true or false");
       o.tls_mutual = v == "true";
       return {};
     },
     [](const options& o) { return std::string{o.tls_mutual ? "true" : "false"}; }},
    {{"codec_max_message_size", "MICRO_CODEC_MAX_MESSAGE_SIZE", "--codec_max_message_size", "largest body a codec encodes or decodes (1KiB to 4GiB-1); a larger one is a 400 (too_large)"},
     [](options& o, const std::string& v) {
       return set_size(o.codec_max_message_size, "codec_max_message_size", v, 1024, 0xFFFFFFFFu);
     },
     [](const options& o) { return show_size(o.codec_max_message_size); }},
    {{"scheduler", "MICRO_SCHEDULER", "--scheduler", "CAF scheduler policy: sharing | stealing"},
     [](options& o, const std::string& v) -> status {
       if (v != "sharing" && v != "stealing")
         return bad_value("scheduler", v, "expected sharing or stealing");
       o.scheduler = v;
       return {};
     },
     [](const options& o) { return o.scheduler; }},
    {{"scheduler_threads", "MICRO_SCHEDULER_THREADS", "--scheduler_threads", "CAF scheduler worker threads (auto: half the cores, at least 1)"},
     [](options& o, const std::string& v) -> status {
       if (v == "auto") {
         o.scheduler_threads = 0;
         return {};
       }
       return set_count(o.scheduler_threads, "scheduler_threads", v);
     },
     [](const options& o) { return o.scheduler_threads == 0 ? std::string{"auto"} : std::to_string(o.scheduler_threads); }},
    {{"heartbeat_interval", "MICRO_HEARTBEAT_INTERVAL", "--heartbeat_interval", "heartbeat between nodes: caf heartbeats, tcp pings while calls are in flight (0ms: off)"},
     [](options& o, const std::string& v) { return set_duration(o.heartbeat_interval, "heartbeat_interval", v); },
     [](const options& o) { return show_ms(o.heartbeat_interval); }},
    {{"connection_timeout", "MICRO_CONNECTION_TIMEOUT", "--connection_timeout", "silence after which a peer is down (0ms: never)"},
     [](options& o, const std::string& v) { return set_duration(o.connection_timeout, "connection_timeout", v); },
     [](const options& o) { return show_ms(o.connection_timeout); }},
  };
  return table;
}

const option_entry* find_entry(const std::string& key) {
  for (auto& e : entries())
    if (key == e.info.key)
      return &e;
  return nullptr;
}

}  // namespace

const std::vector<option_info>& option_table() {
  static const std::vector<option_info> infos = [] {
    std::vector<option_info> out;
    for (auto& e : entries())
      out.push_back(e.info);
    return out;
  }();
  return infos;
}

status set_option(options& opts, const std::string& key, const std::string& value) {
  auto* entry = find_entry(key);
  if (entry == nullptr)
    return errors::bad_request(config_error_id, "unknown option \"" + key + "\"");
  return entry->set(opts, value);
}

status apply_environment(options& opts) {
  if (!opts.read_environment || opts.environment_applied)
    return {};
  for (auto& e : entries()) {
    const char* value = std::getenv(e.info.env);
    if (value == nullptr)
      continue;
    auto st = e.set(opts, value);
    if (!st)
      return make_error(config_error_id, 400, std::string{e.info.env} + ": " + st.error().detail);
  }
  opts.environment_applied = true;  // only once it all applied: a fixed variable can be re-read
  return {};
}

result<flag_outcome> apply_flags(options& opts, int argc, const char* const* argv,
                                 std::vector<std::string>* positional) {
  if (auto st = apply_environment(opts); !st)
    return st.error();
  flag_outcome out;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      out.help_requested = true;
      continue;
    }
    if (arg.rfind("--", 0) != 0) {
      if (positional == nullptr)
        return errors::bad_request(config_error_id, "unexpected argument \"" + arg + "\"");
      positional->push_back(arg);
      continue;
    }
    auto eq = arg.find('=');
    std::string key = arg.substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
    for (auto& c : key)
      if (c == '-')
        c = '_';
    auto* entry = find_entry(key);
    if (entry == nullptr) {
      if (positional != nullptr) {  // the caller (a CLI) may know more flags
        positional->push_back(arg);
        continue;
      }
      return errors::bad_request(config_error_id, "unknown flag \"" + arg + "\" (see --help)");
    }
    std::string value;
    if (eq != std::string::npos) {
      value = arg.substr(eq + 1);
    } else if (i + 1 < argc) {
      value = argv[++i];
    } else {
      return errors::bad_request(config_error_id, "flag " + arg + " needs a value");
    }
    auto st = entry->set(opts, value);
    if (!st)
      return st.error();
  }
  return out;
}

std::string help_text(const options& current) {
  std::ostringstream out;
  out << "options (flag, environment variable, current value):\n";
  for (auto& e : entries())
    out << "  " << e.info.flag << "  (" << e.info.env << ")  " << e.info.help << " [" << e.show(current)
        << "]\n";
  return out.str();
}

result<std::size_t> parse_size(const std::string& text) {
  auto digits_end = text.find_first_not_of("0123456789");
  if (text.empty() || digits_end == 0 || (digits_end != std::string::npos && digits_end > 12) ||
      (digits_end == std::string::npos && text.size() > 12))
    return errors::bad_request(config_error_id, "expected a size such as 4096, 64KiB or 16MiB");
  auto n = static_cast<std::size_t>(std::stoull(text.substr(0, digits_end)));
  auto unit = digits_end == std::string::npos ? std::string{} : text.substr(digits_end);
  int shift = 0;
  if (unit.empty() || unit == "B") shift = 0;
  else if (unit == "KiB") shift = 10;
  else if (unit == "MiB") shift = 20;
  else if (unit == "GiB") shift = 30;
  else
    return errors::bad_request(config_error_id, "unknown size unit \"" + unit + "\" (B, KiB, MiB, GiB)");
  if (n > (std::size_t{1} << 40) >> shift)
    return errors::bad_request(config_error_id, "size \"" + text + "\" is too large");
  return n << shift;
}

result<std::chrono::nanoseconds> parse_duration(const std::string& text) {
  using namespace std::chrono;
  auto digits_end = text.find_first_not_of("0123456789");
  if (text.empty() || digits_end == 0 || (digits_end != std::string::npos && digits_end > 15))
    return errors::bad_request(config_error_id, "expected a duration such as 250ms, 5s or 1m");
  if (digits_end == std::string::npos)
    return errors::bad_request(config_error_id, "duration \"" + text + "\" needs a unit (ns, us, ms, s, m, h)");
  auto n = std::stoll(text.substr(0, digits_end));
  auto unit = text.substr(digits_end);
  int64_t ns_per_unit = 0;
  if (unit == "ns") ns_per_unit = 1;
  else if (unit == "us") ns_per_unit = 1000;
  else if (unit == "ms") ns_per_unit = 1000 * 1000;
  else if (unit == "s") ns_per_unit = 1000 * 1000 * 1000;
  else if (unit == "m") ns_per_unit = int64_t{60} * 1000 * 1000 * 1000;
  else if (unit == "h") ns_per_unit = int64_t{3600} * 1000 * 1000 * 1000;
  else
    return errors::bad_request(config_error_id, "unknown duration unit \"" + unit + "\" (ns, us, ms, s, m, h)");
  if (n > nanoseconds::max().count() / ns_per_unit)
    return errors::bad_request(config_error_id, "duration \"" + text + "\" is too long");
  return nanoseconds{n * ns_per_unit};
}

}  // namespace micro
