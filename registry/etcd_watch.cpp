#include "registry/etcd_watch.hpp"

#include <curl/curl.h>

#include "registry/curl_buffer.hpp"
#include "registry/etcd_client.hpp"

namespace micro::registry {

namespace {

const std::string registry_name = "etcd";

std::size_t discard(char*, std::size_t size, std::size_t n, void*) { return size * n; }

// An easy handle that frees itself; removed from the multi handle first when added to one.
struct easy {
  CURLM* multi_owner = nullptr;
  CURL* handle = curl_easy_init();
  curl_slist* headers = nullptr;
  easy() = default;
  easy(const easy&) = delete;
  easy& operator=(const easy&) = delete;
  ~easy() { release(); }
  void release() {
    if (handle) {
      if (multi_owner)
        curl_multi_remove_handle(multi_owner, handle);
      curl_easy_cleanup(handle);
    }
    if (headers)
      curl_slist_free_all(headers);
    handle = nullptr;
    headers = nullptr;
    multi_owner = nullptr;
  }
};

}  // namespace

struct etcd_watch_stream::state {
  etcd_watch_options opts;
  CURLM* multi = nullptr;
  std::atomic<bool> stopping{false};
};

etcd_watch_stream::etcd_watch_stream(etcd_watch_options opts) : state_(std::make_unique<state>()) {
  ensure_curl_initialised();
  state_->opts = opts;
  state_->multi = curl_multi_init();
}

etcd_watch_stream::~etcd_watch_stream() {
  if (state_->multi)
    curl_multi_cleanup(state_->multi);
}

void etcd_watch_stream::stop() {
  state_->stopping = true;
  if (state_->multi)
    curl_multi_wakeup(state_->multi);
}

status etcd_watch_stream::run(const std::string& endpoint, const nlohmann::json& request,
                              const message_handler& on_message) {
  auto& s = *state_;
  if (!s.multi)
    return make_error(errc::unavailable, registry_name, "no HTTP client");
  const auto body = request.dump();
  bounded_buffer buf;
  buf.limit = s.opts.max_message_bytes;

  easy stream;
  stream.headers = curl_slist_append(nullptr, "Content-Type: application/json");
  const auto url = endpoint + "/v3/watch";
  curl_easy_setopt(stream.handle, CURLOPT_URL, url.c_str());
  curl_easy_setopt(stream.handle, CURLOPT_POSTFIELDS, body.c_str());
  curl_easy_setopt(stream.handle, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  curl_easy_setopt(stream.handle, CURLOPT_HTTPHEADER, stream.headers);
  curl_easy_setopt(stream.handle, CURLOPT_WRITEFUNCTION, append_bounded);
  curl_easy_setopt(stream.handle, CURLOPT_WRITEDATA, &buf);
  curl_easy_setopt(stream.handle, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(s.opts.connect_timeout.count()));
  curl_easy_setopt(stream.handle, CURLOPT_NOSIGNAL, 1L);
  curl_multi_add_handle(s.multi, stream.handle);
  stream.multi_owner = s.multi;

  const auto probe_url = endpoint + "/health";
  easy probe;
  bool probing = false;
  auto next_probe = std::chrono::steady_clock::now() + s.opts.probe_interval;

  while (!s.stopping) {
    int running = 0;
    curl_multi_perform(s.multi, &running);

    // Complete lines are messages; a partial one waits for more bytes.
    std::size_t start = 0;
    for (auto nl = buf.data.find('\n'); nl != std::string::npos; nl = buf.data.find('\n', start)) {
      auto line = buf.data.substr(start, nl - start);
      start = nl + 1;
      if (line.find_first_not_of(" \r\t") == std::string::npos)
        continue;
      auto message = nlohmann::json::parse(line, nullptr, false);
      if (message.is_discarded() || !message.is_object())
        return make_error(errc::unavailable, registry_name, "watch at " + endpoint + " sent a message that is not JSON");
      if (message.contains("error"))
        return make_error(errc::unavailable, registry_name,
                          "watch at " + endpoint + " failed: " + message["error"].dump());
      if (!on_message(message))
        return {};
    }
    buf.data.erase(0, start);
    if (buf.overflow)
      return make_error(errc::unavailable, registry_name,
                        "watch at " + endpoint + " sent a message over " + std::to_string(buf.limit) + " bytes");

    int pending = 0;
    while (CURLMsg* msg = curl_multi_info_read(s.multi, &pending)) {
      if (msg->msg != CURLMSG_DONE)
        continue;
      if (msg->easy_handle == stream.handle) {
        long http_status = 0;
        curl_easy_getinfo(stream.handle, CURLINFO_RESPONSE_CODE, &http_status);
        std::string why = msg->data.result != CURLE_OK ? curl_easy_strerror(msg->data.result)
                                                        : "etcd ended the stream (HTTP " + std::to_string(http_status) + ")";
        return make_error(errc::unavailable, registry_name, "watch at " + endpoint + ": " + why);
      }
      if (msg->easy_handle == probe.handle) {
        long http_status = 0;
        curl_easy_getinfo(probe.handle, CURLINFO_RESPONSE_CODE, &http_status);
        const auto result = msg->data.result;
        probe.release();
        probing = false;
        if (result != CURLE_OK || http_status != 200)
          return make_error(errc::unavailable, registry_name,
                            "etcd at " + endpoint + " stopped answering: " +
                                (result != CURLE_OK ? std::string(curl_easy_strerror(result))
                                                    : "/health answered HTTP " + std::to_string(http_status)));
        next_probe = std::chrono::steady_clock::now() + s.opts.probe_interval;
      }
    }

    if (!probing && std::chrono::steady_clock::now() >= next_probe) {
      probe.handle = curl_easy_init();
      curl_easy_setopt(probe.handle, CURLOPT_URL, probe_url.c_str());
      curl_easy_setopt(probe.handle, CURLOPT_WRITEFUNCTION, discard);
      curl_easy_setopt(probe.handle, CURLOPT_TIMEOUT_MS, static_cast<long>(s.opts.probe_timeout.count()));
      curl_easy_setopt(probe.handle, CURLOPT_NOSIGNAL, 1L);
      curl_multi_add_handle(s.multi, probe.handle);
      probe.multi_owner = s.multi;
      probing = true;
    }
    curl_multi_poll(s.multi, nullptr, 0, 200, nullptr);
  }
  return {};
}

}  // namespace micro::registry
