#include "micro/cli/bench_options.hpp"

#include <cmath>
#include <cstdlib>

#include "micro/cli/args.hpp"
#include "micro/cli/json_text.hpp"
#include "micro/options.hpp"

namespace micro::cli {

const char* const bench_usage =
  "usage: micro bench SERVICE ENDPOINT [JSON] [--duration D | --requests N] [--concurrency C]\n"
  "         [--rate R] [--strategy random|roundrobin|leastconn|latency] [--timeout D]\n"
  "         [--interval D] [--output text|json] [-m key=value ...] [--content_type=T]";

namespace {

// Each call in flight is a thread of its own: beyond this, threads cost more than they measure.
constexpr std::size_t max_concurrency = 1024;

error bad(const std::string& flag, const std::string& value, const std::string& why) {
  return errors::bad_request(cli_error_id, flag + " " + value + ": " + why);
}

result<std::size_t> count(const std::string& flag, const std::string& text, std::size_t max) {
  auto why = "expected a whole number from 1 to " + std::to_string(max);
  if (text.empty() || text.size() > 10 || text.find_first_not_of("0123456789") != std::string::npos)
    return bad(flag, text, why);
  auto n = std::stoull(text);
  if (n < 1 || n > max)
    return bad(flag, text, why);
  return static_cast<std::size_t>(n);
}

result<std::chrono::nanoseconds> positive_duration(const std::string& flag, const std::string& text) {
  auto d = parse_duration(text);
  if (!d)
    return bad(flag, text, d.error().detail);
  if (d->count() <= 0)
    return bad(flag, text, "must be more than 0");
  return *d;
}

status set_duration(bench_options& o, const std::string& flag, const std::string& v) {
  auto d = positive_duration(flag, v);
  if (!d)
    return d.error();
  o.duration = *d;
  return {};
}

status set_interval(bench_options& o, const std::string& flag, const std::string& v) {
  auto d = positive_duration(flag, v);
  if (!d)
    return d.error();
  o.interval = *d;
  return {};
}

status set_timeout(bench_options& o, const std::string& flag, const std::string& v) {
  auto d = positive_duration(flag, v);
  if (!d)
    return d.error();
  o.call.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(*d);
  if (o.call.timeout.count() < 1)
    return bad(flag, v, "must be at least 1ms");
  return {};
}

status set_requests(bench_options& o, const std::string& flag, const std::string& v) {
  auto n = count(flag, v, 1'000'000'000);
  if (!n)
    return n.error();
  o.requests = *n;
  return {};
}

status set_concurrency(bench_options& o, const std::string& flag, const std::string& v) {
  auto n = count(flag, v, max_concurrency);
  if (!n)
    return n.error();
  o.concurrency = *n;
  return {};
}

status set_rate(bench_options& o, const std::string& flag, const std::string& v) {
  char* end = nullptr;
  double r = v.empty() ? 0 : std::strtod(v.c_str(), &end);
  if (v.empty() || end != v.c_str() + v.size() || !std::isfinite(r) || r <= 0)
    return bad(flag, v, "expected calls per second, a number more than 0");
  o.rate = r;
  return {};
}

status set_strategy(bench_options& o, const std::string& flag, const std::string& v) {
  auto s = parse_strategy(v);
  if (!s)
    return bad(flag, v, s.error().detail);
  o.call.strategy = *s;
  return {};
}

status set_output(bench_options& o, const std::string& flag, const std::string& v) {
  if (v != "text" && v != "json")
    return bad(flag, v, "expected text or json");
  o.json_output = v == "json";
  return {};
}

status set_content_type(bench_options& o, const std::string& flag, const std::string& v) {
  if (v.empty())
    return bad(flag, "\"\"", "expected a content type");
  o.content_type = v;
  return {};
}

using setter = status (*)(bench_options&, const std::string&, const std::string&);
const std::pair<const char*, setter> flags[] = {
  {"--duration", set_duration}, {"--requests", set_requests}, {"--concurrency", set_concurrency},
  {"--rate", set_rate},         {"--strategy", set_strategy}, {"--timeout", set_timeout},
  {"--interval", set_interval}, {"--output", set_output},     {"--content_type", set_content_type},
};

// Takes args[i] (and its value) if it is one of `flags`; true if it did.
result<bool> take_flag(const std::vector<std::string>& args, std::size_t& i, bench_options& out) {
  for (auto& [flag, set] : flags) {
    std::string value;
    auto got = take_value(args, i, flag, value);
    if (!got)
      return got.error();
    if (!*got)
      continue;
    if (auto st = set(out, flag, value); !st)
      return st.error();
    return true;
  }
  return false;
}

}  // namespace

result<bench_options> parse_bench_options(const std::vector<std::string>& args) {
  bench_options out;
  std::vector<std::string> positional;
  bool duration_given = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const auto arg = args[i];
    auto metadata = take_metadata(args, i, out.call.metadata);
    if (!metadata)
      return metadata.error();
    if (*metadata)
      continue;
    auto flag = take_flag(args, i, out);
    if (!flag)
      return flag.error();
    if (*flag) {
      duration_given = duration_given || arg.rfind("--duration", 0) == 0;
      continue;
    }
    if (arg.size() > 1 && arg[0] == '-' && (arg[1] < '0' || arg[1] > '9'))  // not a JSON number
      return errors::bad_request(cli_error_id, "unknown flag \"" + arg + "\"\n" + bench_usage);
    positional.push_back(arg);
  }
  if (positional.size() < 2 || positional.size() > 3)
    return errors::bad_request(cli_error_id, std::string{"expected SERVICE ENDPOINT [JSON]\n"} + bench_usage);
  out.service = positional[0];
  out.endpoint = positional[1];
  if (positional.size() == 3)
    out.body = positional[2];
  if (out.content_type == "application/json")
    if (auto why = json_error(out.body))
      return errors::bad_request(cli_error_id, "the request body is not JSON: " + *why);
  if (duration_given && out.requests > 0)
    return errors::bad_request(cli_error_id, "give --duration or --requests, not both");
  if (!duration_given && out.requests == 0)
    out.duration = std::chrono::seconds{10};
  return out;
}

}  // namespace micro::cli
