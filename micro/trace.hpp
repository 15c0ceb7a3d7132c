#pragma once
// W3C trace context (https://www.w3.org/TR/trace-context/) in call metadata. The edge (a client
// call, publication or stream open without one; the gateway passes on an HTTP `traceparent`)
// starts a trace; every server hop (handler, stream, subscriber) starts its own span: the
// incoming `traceparent` names the caller's span, which becomes this hop's parent, and the
// handler's context carries `traceparent` with this hop's span, so a downstream call made with
// that context continues the trace one hop further.

#include <optional>
#include <string>

#include "actors/metadata_limits.hpp"
#include "micro/context.hpp"

namespace micro {

/// "00-<32 hex trace id>-<16 hex span id>-<2 hex flags>".
inline constexpr const char* traceparent_key = actors::traceparent_key;
/// Vendor trace state, passed on as it came.
inline constexpr const char* tracestate_key = actors::tracestate_key;
/// Set by the server in a handler's context: the caller's span id (this span's parent).
inline constexpr const char* parent_span_key = "micro-parent-span";

struct trace_context {
  std::string trace_id;  // 32 lower-case hex digits, not all zero
  std::string span_id;   // 16 lower-case hex digits, not all zero
  std::string flags = "01";
  std::string parent_span_id;  // empty at the root

  std::string traceparent() const { return "00-" + trace_id + "-" + span_id + "-" + flags; }
};

/// The trace of a `traceparent` value; nullopt if it is not a valid version-00 header.
std::optional<trace_context> parse_traceparent(const std::string& value);

/// A random, non-zero id of `hex_digits` lower-case hex digits.
std::string random_trace_id(std::size_t hex_digits = 32);

/// At the edge: makes sure `md` carries a valid traceparent (a new trace when it has none, or an
/// invalid one). Returns its value.
std::string ensure_trace(micro::metadata& md);

/// At a server hop: a new span whose parent is the incoming one (a new trace if none came);
/// `md` gets the new traceparent and parent_span_key. Returns the hop's trace.
trace_context start_span(micro::metadata& md);
/// start_span without building the returned trace (what a hop that only passes `md` on needs).
void enter_span(micro::metadata& md);

/// The trace a context carries (trace id empty when none).
trace_context trace_of(const context& ctx);

}  // namespace micro
