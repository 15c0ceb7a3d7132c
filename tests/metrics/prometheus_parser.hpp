#pragma once
// Parses Prometheus text with Prometheus' own Python client (Debian python3-prometheus-client):
// what a real scraper accepts, not what our own code thinks it wrote.

#include <map>
#include <optional>
#include <string>

namespace micro::test {

struct parsed_metrics {
  bool ok = false;
  std::string error;  // the parser's complaint when !ok
  /// Every sample as "name{k="v",...}" (labels sorted by name) -> value.
  std::map<std::string, double> samples;
  /// Family name (as the parser names it: counters without _total) -> type.
  std::map<std::string, std::string> types;

  /// The value of `key` (see samples), or nullopt.
  std::optional<double> get(const std::string& key) const;
};

/// Whether the parser is installed (the tests skip with a message otherwise).
bool prometheus_parser_available();

parsed_metrics parse_prometheus(const std::string& text);

}  // namespace micro::test
