#include "micro/log.hpp"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <mutex>

#include <nlohmann/json.hpp>

#include "micro/trace.hpp"

namespace micro {

namespace {

constexpr const char* log_error_id = "micro.log";

struct log_config {
  std::atomic<bool> json{false};
  std::atomic<int> threshold{static_cast<int>(log_level::info)};
};

result<log_level> parse_level(const std::string& v) {
  if (v == "debug") return log_level::debug;
  if (v == "info") return log_level::info;
  if (v == "warn" || v == "warning") return log_level::warn;
  if (v == "error") return log_level::error;
  return errors::bad_request(log_error_id, "invalid log level \"" + v + "\": expected debug, info, warn or error");
}

log_config& config() {
  static log_config* c = [] {
    auto* made = new log_config;  // never destroyed: threads may log while the process exits
    if (const char* f = std::getenv("MICRO_LOG_FORMAT"))
      made->json = std::string{f} == "json";
    if (const char* l = std::getenv("MICRO_LOG_LEVEL"))
      if (auto parsed = parse_level(l))
        made->threshold = static_cast<int>(*parsed);
    return made;
  }();
  return *c;
}

const char* level_name(log_level l) {
  switch (l) {
    case log_level::debug: return "debug";
    case log_level::info: return "info";
    case log_level::warn: return "warn";
    case log_level::error: return "error";
  }
  return "info";
}

// RFC 3339 with milliseconds, UTC.
std::string now_text() {
  auto now = std::chrono::system_clock::now();
  auto t = std::chrono::system_clock::to_time_t(now);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buf[96];  // roomy: the compiler cannot bound tm's fields
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms));
  return buf;
}

void write_line(std::string line) {
  line += '\n';
  // One write per line: lines of several threads (and processes sharing stderr) stay whole.
  const char* p = line.data();
  auto left = line.size();
  while (left > 0) {
    auto n = ::write(2, p, left);
    if (n <= 0)
      return;
    p += n;
    left -= static_cast<std::size_t>(n);
  }
}

}  // namespace

status set_log_format(const std::string& format) {
  if (format != "text" && format != "json")
    return errors::bad_request(log_error_id, "invalid log format \"" + format + "\": expected text or json");
  config().json = format == "json";
  return {};
}

status set_log_level(const std::string& level) {
  auto parsed = parse_level(level);
  if (!parsed)
    return parsed.error();
  config().threshold = static_cast<int>(*parsed);
  return {};
}

bool log_json() { return config().json.load(); }

std::string log_level_name() { return level_name(static_cast<log_level>(config().threshold.load())); }

bool log_enabled(log_level level) { return static_cast<int>(level) >= config().threshold.load(); }

void log_event(log_level level, const std::string& msg, const log_fields& fields) {
  if (!log_enabled(level))
    return;
  if (config().json) {
    nlohmann::ordered_json j;  // time, level and msg first, then the fields as given
    j["time"] = now_text();
    j["level"] = level_name(level);
    j["msg"] = msg;
    for (auto& [k, v] : fields)
      j[k] = v;
    write_line(j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace));
    return;
  }
  std::string line = msg;
  for (auto& [k, v] : fields) {
    line += ' ';
    line += k;
    line += '=';
    line += v;
  }
  write_line(std::move(line));
}

void log_event(log_level level, const std::string& msg, const context& ctx, log_fields fields) {
  if (!log_enabled(level))
    return;
  if (!ctx.service().empty())
    fields.emplace_back("service", ctx.service());
  if (!ctx.endpoint().empty())
    fields.emplace_back("endpoint", ctx.endpoint());
  auto t = trace_of(ctx);
  if (!t.trace_id.empty()) {
    fields.emplace_back("trace_id", t.trace_id);
    fields.emplace_back("span_id", t.span_id);
    if (!t.parent_span_id.empty())
      fields.emplace_back("parent_span_id", t.parent_span_id);
  }
  log_event(level, msg, fields);
}

}  // namespace micro
