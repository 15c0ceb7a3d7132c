#include "api/request_map.hpp"

#include <algorithm>
#include <cctype>

#include "micro/error.hpp"
#include "micro/options.hpp"
#include "micro/trace.hpp"

namespace micro::api {

namespace {

constexpr const char* api_error_id = "micro.api";

std::vector<std::string> segments(const std::string& path) {
  std::vector<std::string> out;
  std::size_t at = 0;
  while (at <= path.size()) {
    auto slash = path.find('/', at);
    if (slash == std::string::npos)
      slash = path.size();
    if (slash > at)
      out.push_back(path.substr(at, slash - at));
    at = slash + 1;
  }
  return out;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::string capitalised(std::string s) {
  if (!s.empty())
    s[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(s[0])));
  return s;
}

bool plain(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) {
           return std::isalnum(c) || c == '_' || c == '-' || c == '.';
         });
}

}  // namespace

result<call_target> parse_path(const std::string& path) {
  auto parts = segments(path);
  for (auto& p : parts)
    if (!plain(p))
      return errors::not_found(api_error_id, "no service endpoint at " + path);
  if (parts.size() == 3)
    return call_target{parts[0], parts[1] + "." + parts[2], {}};
  if (parts.size() == 2)
    return call_target{parts[0], {}, parts[1]};
  return errors::not_found(api_error_id, "no service endpoint at " + path
                                           + " (POST /SERVICE/Service/Method or /SERVICE/method)");
}

result<std::string> resolve_short(const std::string& service, const std::string& method,
                                  const std::vector<std::string>& endpoints) {
  std::vector<std::string> found;
  for (auto& e : endpoints) {
    auto dot = e.rfind('.');
    if (dot != std::string::npos && lower(e.substr(dot + 1)) == lower(method))
      found.push_back(e);
  }
  if (found.size() == 1)
    return found.front();
  if (found.size() > 1) {
    std::string names;
    for (auto& f : found)
      names += (names.empty() ? "" : ", ") + f;
    return errors::bad_request(api_error_id, "/" + service + "/" + method + " is ambiguous: " + names
                                               + "; use /" + service + "/Service/Method");
  }
  return capitalised(service) + "." + capitalised(method);  // go-micro's guess
}

micro::metadata metadata_from(const http::headers& headers) {
  micro::metadata md;
  for (auto& [name, value] : headers) {
    auto key = lower(name);
    if (key == micro::traceparent_key || key == micro::tracestate_key)
      md[key] = value;
    else if (key.rfind("micro-", 0) == 0 && key.size() > 6 && key != "micro-timeout")
      md[key.substr(6)] = value;
  }
  return md;
}

result<std::chrono::milliseconds> deadline_from(const http::headers& headers, std::chrono::milliseconds fallback,
                                                std::chrono::milliseconds max) {
  using std::chrono::milliseconds;
  auto t = fallback;
  if (auto it = headers.find("Micro-Timeout"); it != headers.end()) {
    auto d = parse_duration(it->second);
    if (!d || *d <= std::chrono::nanoseconds::zero())
      return errors::bad_request(api_error_id, "invalid Micro-Timeout \"" + it->second + "\": expected a duration such as 250ms or 5s");
    t = std::chrono::duration_cast<milliseconds>(*d);
    if (t.count() == 0)
      t = milliseconds{1};
  } else if (auto it2 = headers.find("Timeout"); it2 != headers.end()) {
    const auto& v = it2->second;
    if (v.empty() || v.size() > 6 || v.find_first_not_of("0123456789") != std::string::npos || std::stol(v) == 0)
      return errors::bad_request(api_error_id, "invalid Timeout \"" + v + "\": expected whole seconds");
    t = std::chrono::seconds{std::stol(v)};
  }
  return std::min(t, max);
}

int http_status(int code) { return code >= 400 && code <= 599 ? code : 500; }

}  // namespace micro::api
