#include "prometheus_parser.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>

#include <nlohmann/json.hpp>

namespace micro::test {

namespace {

constexpr const char* script = R"(
import json, sys
from prometheus_client.parser import text_string_to_metric_families
out = {"samples": {}, "types": {}}
try:
    for f in text_string_to_metric_families(open(sys.argv[1]).read()):
        out["types"][f.name] = f.type
        for s in f.samples:
            labels = ",".join('%s="%s"' % (k, v) for k, v in sorted(s.labels.items()))
            out["samples"][s.name + "{" + labels + "}"] = s.value
except Exception as e:
    print(json.dumps({"error": "%s: %s" % (type(e).__name__, e)}))
    sys.exit(0)
print(json.dumps(out))
)";

std::string run(const std::string& command) {
  std::string out;
  FILE* p = ::popen(command.c_str(), "r");
  if (p == nullptr)
    return out;
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), p)) > 0)
    out.append(buf, n);
  ::pclose(p);
  return out;
}

}  // namespace

std::optional<double> parsed_metrics::get(const std::string& key) const {
  auto it = samples.find(key);
  if (it == samples.end())
    return std::nullopt;
  return it->second;
}

bool prometheus_parser_available() {
  return std::system("/usr/bin/python3 -c 'import prometheus_client.parser' >/dev/null 2>&1") == 0;
}

parsed_metrics parse_prometheus(const std::string& text) {
  parsed_metrics out;
  char text_path[] = "/tmp/micro-metrics-XXXXXX";
  int fd = ::mkstemp(text_path);
  if (fd < 0) {
    out.error = "cannot create a temporary file";
    return out;
  }
  ::close(fd);
  std::string script_path = std::string{text_path} + ".py";
  std::ofstream{text_path} << text;
  std::ofstream{script_path} << script;
  auto answer = run("/usr/bin/python3 " + script_path + " " + text_path + " 2>&1");
  std::remove(text_path);
  std::remove(script_path.c_str());
  auto j = nlohmann::json::parse(answer, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    out.error = "the parser did not answer JSON: " + answer;
    return out;
  }
  if (j.contains("error")) {
    out.error = j["error"].get<std::string>();
    return out;
  }
  for (auto& [k, v] : j["samples"].items())
    out.samples[k] = v.get<double>();
  for (auto& [k, v] : j["types"].items())
    out.types[k] = v.get<std::string>();
  out.ok = true;
  return out;
}

}  // namespace micro::test
