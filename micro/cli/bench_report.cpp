#include "micro/cli/bench_report.hpp"

#include <iomanip>
#include <sstream>

#include <nlohmann/json.hpp>

namespace micro::cli {

namespace {

using json = nlohmann::json;

// go-micro's error JSON; bytes that are not UTF-8 in a detail become U+FFFD (error::to_json
// would throw on them).
json error_json(const micro::error& e) {
  return {{"id", e.id}, {"code", e.code}, {"detail", e.detail}, {"status", e.status}};
}

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

std::string fixed(double v, int digits) {
  std::ostringstream out;
  out << std::fixed << std::setprecision(digits) << v;
  return out.str();
}

// "10s", "1500 calls": what the run was asked to do.
std::string goal(const bench_options& o) {
  if (o.requests > 0)
    return std::to_string(o.requests) + " calls";
  return fixed(std::chrono::duration<double>(o.duration).count(), 1) + " s";
}

std::string pad(std::string s, std::size_t width) {
  if (s.size() < width)
    s.append(width - s.size(), ' ');
  return s;
}

std::size_t widest_node(const bench_counts& c) {
  std::size_t w = 0;
  for (auto& [node, n] : c.by_node)
    w = std::max(w, node.size());
  return w;
}

}  // namespace

std::string text_report(const bench_setup& setup, const bench_summary& s) {
  const auto& o = *setup.opts;
  const auto& c = s.counts;
  std::ostringstream out;
  out << "micro bench: " << o.service << " " << o.endpoint << ", " << goal(o) << ", concurrency "
      << o.concurrency;
  if (o.rate > 0)
    out << ", rate " << fixed(o.rate, 1) << "/s";
  out << ", strategy " << setup.strategy << "\n";
  out << "calls:    " << c.calls << " in " << fixed(s.seconds, 3) << " s, " << fixed(s.calls_per_second(), 1)
      << " calls/s (" << c.calls - c.failed << " ok, " << c.failed << " failed)\n";
  if (s.latency)
    out << "latency:  p50 " << fixed(s.latency->p50, 3) << " ms, p90 " << fixed(s.latency->p90, 3) << " ms, p99 "
        << fixed(s.latency->p99, 3) << " ms, max " << fixed(s.latency->max, 3) << " ms (calls that succeeded)\n";
  else
    out << "latency:  - (no call succeeded)\n";
  out << "errors by code:" << (c.by_code.empty() ? " none\n" : "\n");
  for (auto& [code, n] : c.by_code)
    out << "  " << pad(std::to_string(code), 5) << pad(std::to_string(n), 8) << "first: " << dump(error_json(s.first_error.at(code)))
        << "\n";
  out << "calls per node (that answered):" << (c.by_node.empty() ? " none\n" : "\n");
  auto ok = c.calls - c.failed;
  auto width = widest_node(c) + 2;
  for (auto& [node, n] : c.by_node) {
    auto share = fixed(100.0 * static_cast<double>(n) / static_cast<double>(ok), 1) + "%";
    out << "  " << pad(node, width) << pad(std::to_string(n), 8);
    if (auto it = setup.addresses.find(node); it != setup.addresses.end())
      out << pad(share, 8) << it->second << "\n";
    else
      out << share << "\n";
  }
  return out.str();
}

std::string json_report(const bench_setup& setup, const bench_summary& s) {
  const auto& o = *setup.opts;
  const auto& c = s.counts;
  json j{{"service", o.service},
         {"endpoint", o.endpoint},
         {"strategy", setup.strategy},
         {"concurrency", o.concurrency},
         {"seconds", s.seconds},
         {"calls", c.calls},
         {"ok", c.calls - c.failed},
         {"failed", c.failed},
         {"calls_per_second", s.calls_per_second()},
         {"latency_ms", nullptr},
         {"errors", json::object()},
         {"nodes", json::object()}};
  if (s.latency)
    j["latency_ms"] = {{"p50", s.latency->p50}, {"p90", s.latency->p90}, {"p99", s.latency->p99}, {"max", s.latency->max}};
  for (auto& [code, n] : c.by_code)
    j["errors"][std::to_string(code)] = {{"count", n}, {"first", error_json(s.first_error.at(code))}};
  for (auto& [node, n] : c.by_node) {
    auto it = setup.addresses.find(node);
    j["nodes"][node] = {{"calls", n}, {"address", it == setup.addresses.end() ? "" : it->second}};
  }
  return dump(j);
}

std::string progress_line(double at_seconds, double seconds, const bench_counts& c) {
  std::ostringstream out;
  out << "micro bench: " << fixed(at_seconds, 1) << " s  "
      << fixed(seconds > 0 ? static_cast<double>(c.calls) / seconds : 0, 1) << " calls/s  " << c.failed << " failed";
  if (!c.by_code.empty()) {
    out << " (";
    const char* sep = "";
    for (auto& [code, n] : c.by_code) {
      out << sep << code << ": " << n;
      sep = ", ";
    }
    out << ")";
  }
  for (auto& [node, n] : c.by_node)
    out << "  " << node << " " << n;
  return out.str();
}

}  // namespace micro::cli
