#include "micro/detail/runtime_access.hpp"

#include <algorithm>

#include "codecs/registry.hpp"

namespace micro::detail {

std::shared_ptr<actors::runtime> acquire_runtime(const options& opts) {
  actors::runtime_config cfg;
  cfg.scheduler_policy = opts.scheduler;
  cfg.scheduler_threads = opts.scheduler_threads;
  cfg.heartbeat_interval = opts.heartbeat_interval;
  cfg.connection_timeout = opts.connection_timeout;
  cfg.selector.failure_threshold = opts.failure_threshold;
  cfg.selector.circuit_backoff = opts.circuit_backoff;
  cfg.guard.max_frame_size = static_cast<uint32_t>(std::min<std::size_t>(opts.max_frame_size, 0xFFFFFFFFu));
  cfg.guard.handshake_timeout = opts.handshake_timeout;
  cfg.guard.idle_timeout = opts.idle_timeout;
  cfg.guard.max_connections = opts.max_connections;
  cfg.broker.batch = opts.broker_batch;
  cfg.broker.batches_in_flight = opts.broker_batches_in_flight;
  cfg.broker.linger = opts.broker_linger;
  // The byte transports (tcp, memory) keep the same limits as the guard of CAF's connections.
  cfg.byte_transports.limits.max_frame_size = opts.max_frame_size;
  cfg.byte_transports.limits.handshake_timeout = opts.handshake_timeout;
  cfg.byte_transports.limits.idle_timeout = opts.idle_timeout;
  // One liveness setting for every transport: tcp pings where caf sends heartbeats.
  cfg.byte_transports.limits.ping_interval = opts.heartbeat_interval;
  cfg.byte_transports.limits.ping_timeout = opts.connection_timeout;
  cfg.byte_transports.tls = {opts.tls_cert, opts.tls_key, opts.tls_ca, opts.tls_mutual};
  // Process-wide, like the codecs: applied only when set, so per-codec limits set in code stay.
  if (opts.codec_max_message_size != codecs::default_max_message_size)
    codecs::default_codecs().set_max_message_size(opts.codec_max_message_size);
  return actors::runtime::acquire(cfg);
}

error to_error(const actors::response& rsp) {
  return make_error(rsp.error_id, rsp.code, rsp.detail);
}

}  // namespace micro::detail
