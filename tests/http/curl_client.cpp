#include "curl_client.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <mutex>

namespace micro::test {

namespace {

struct global_init {
  global_init() { curl_global_init(CURL_GLOBAL_DEFAULT); }
};

void init_once() { static global_init once; }

struct transfer {
  const http_call* call = nullptr;
  http_result result;
  curl_slist* headers = nullptr;
  bool hung_up = false;
};

size_t on_body(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<transfer*>(user);
  std::string piece{data, size * n};
  t->result.body += piece;
  if (t->call->on_data && !t->call->on_data(piece)) {
    t->hung_up = true;
    return 0;  // makes curl abort the transfer
  }
  return size * n;
}

size_t on_header(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<transfer*>(user);
  std::string line{data, size * n};
  auto colon = line.find(':');
  if (colon != std::string::npos) {
    std::string name = line.substr(0, colon);
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
    auto value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(" \t"));
    value.erase(value.find_last_not_of("\r\n \t") + 1);
    t->result.headers[name] = value;
  }
  return size * n;
}

void setup(CURL* h, transfer& t) {
  const auto& c = *t.call;
  curl_easy_setopt(h, CURLOPT_URL, c.url.c_str());
  curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, c.method.c_str());
  if (c.method == "POST" || !c.body.empty()) {
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, c.body.data());
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(c.body.size()));
  }
  if (c.expect_continue) {
    t.headers = curl_slist_append(t.headers, "Expect: 100-continue");
    curl_easy_setopt(h, CURLOPT_EXPECT_100_TIMEOUT_MS, static_cast<long>(c.timeout.count()));
  } else {
    t.headers = curl_slist_append(t.headers, "Expect:");  // no 100-continue round trip
  }
  for (auto& line : c.headers)
    t.headers = curl_slist_append(t.headers, line.c_str());
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, t.headers);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &t);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &t);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(c.timeout.count()));
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
}

void finish(CURL* h, transfer& t, CURLcode code) {
  if (code == CURLE_OK || t.hung_up)
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &t.result.status);
  if (code != CURLE_OK && !t.hung_up) {
    t.result.status = 0;
    t.result.error = curl_easy_strerror(code);
  }
  curl_slist_free_all(t.headers);
  t.headers = nullptr;
}

}  // namespace

http_result fetch(const http_call& call) {
  init_once();
  transfer t;
  t.call = &call;
  CURL* h = curl_easy_init();
  setup(h, t);
  auto code = curl_easy_perform(h);
  finish(h, t, code);
  curl_easy_cleanup(h);
  return t.result;
}

http_result get(const std::string& url) {
  http_call c;
  c.url = url;
  return fetch(c);
}

http_result post(const std::string& url, const std::string& body, std::vector<std::string> headers) {
  http_call c;
  c.method = "POST";
  c.url = url;
  c.body = body;
  c.headers = std::move(headers);
  return fetch(c);
}

std::vector<http_result> fetch_concurrently(const http_call& call, std::size_t n, std::size_t rounds) {
  init_once();
  CURLM* multi = curl_multi_init();
  curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, static_cast<long>(n));
  std::vector<std::unique_ptr<transfer>> transfers;
  std::vector<CURL*> handles(n);
  std::vector<std::size_t> left(n, rounds);
  std::vector<http_result> results;
  for (std::size_t i = 0; i < n; ++i) {
    handles[i] = curl_easy_init();
    transfers.push_back(std::make_unique<transfer>());
    transfers[i]->call = &call;
    setup(handles[i], *transfers[i]);
    curl_easy_setopt(handles[i], CURLOPT_PRIVATE, reinterpret_cast<char*>(i));
    curl_multi_add_handle(multi, handles[i]);
  }
  int running = 1;
  while (running > 0) {
    curl_multi_perform(multi, &running);
    int queued = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi, &queued)) {
      if (msg->msg != CURLMSG_DONE)
        continue;
      char* priv = nullptr;
      curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &priv);
      auto i = reinterpret_cast<std::size_t>(priv);
      finish(handles[i], *transfers[i], msg->data.result);
      results.push_back(transfers[i]->result);
      curl_multi_remove_handle(multi, handles[i]);
      if (--left[i] > 0) {  // the same handle again: its connection is reused (keep-alive)
        transfers[i]->result = {};
        setup(handles[i], *transfers[i]);
        curl_multi_add_handle(multi, handles[i]);
        running = 1;
      }
    }
    if (running > 0)
      curl_multi_poll(multi, nullptr, 0, 100, nullptr);
  }
  for (auto* h : handles)
    curl_easy_cleanup(h);
  curl_multi_cleanup(multi);
  return results;
}

}  // namespace micro::test
