#pragma once
// A real HTTP client for the tests: libcurl, one request per call (or many at once with
// curl_multi), so what is tested is what curl users see.

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace micro::test {

struct http_result {
  long status = 0;             // 0: no answer (connection refused, reset, timed out)
  std::string body;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string error;           // curl's message when status is 0
};

struct http_call {
  std::string method = "GET";
  std::string url;
  std::string body;
  std::vector<std::string> headers;  // "Name: value"
  std::chrono::milliseconds timeout{20000};
  bool expect_continue = false;  // send "Expect: 100-continue" and wait for it (no 1 s fallback)
  /// Called with each piece of the body as it arrives (streams); return false to hang up.
  std::function<bool(const std::string&)> on_data;
};

http_result fetch(const http_call& call);
http_result get(const std::string& url);
http_result post(const std::string& url, const std::string& body, std::vector<std::string> headers = {});

/// `n` requests at once over `n` connections, each kept alive and used `rounds` times (libcurl
/// multi). Returns every result.
std::vector<http_result> fetch_concurrently(const http_call& call, std::size_t n, std::size_t rounds);

}  // namespace micro::test
