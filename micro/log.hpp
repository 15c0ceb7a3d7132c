#pragma once
// micro's one logging module: one line per event on stderr, as text (the default: the message,
// then key=value fields) or as one JSON object per line (MICRO_LOG_FORMAT=json: "time", "level",
// "msg", then the fields), filtered by level (MICRO_LOG_LEVEL: debug, info, warn, error; default
// info). Lines about a call carry its trace: service, endpoint, trace_id, span_id, parent_span_id.

#include <string>
#include <utility>
#include <vector>

#include "micro/context.hpp"
#include "micro/result.hpp"

namespace micro {

enum class log_level { debug, info, warn, error };

using log_fields = std::vector<std::pair<std::string, std::string>>;

/// Sets the format ("text" or "json") and the lowest level written; 400 error for other values.
/// Process-wide; the environment sets both at first use (and MICRO_* options through options.hpp).
status set_log_format(const std::string& format);
status set_log_level(const std::string& level);
bool log_enabled(log_level level);
/// The current settings, as set_log_format and set_log_level take them.
bool log_json();
std::string log_level_name();

/// Writes one event (one line, written whole, so lines of several threads never interleave).
void log_event(log_level level, const std::string& msg, const log_fields& fields = {});
/// The same, with the call's service, endpoint and trace from `ctx` added to the fields.
void log_event(log_level level, const std::string& msg, const context& ctx, log_fields fields = {});

}  // namespace micro
