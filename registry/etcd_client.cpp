#include "registry/etcd_client.hpp"

#include <curl/curl.h>

#include "registry/curl_buffer.hpp"
#include "registry/etcd_answers.hpp"

#include <mutex>
#include <sstream>

namespace micro::registry {

namespace {

const std::string registry_name = "etcd";

std::string trim(const std::string& s) {
  auto b = s.find_first_not_of(" \t");
  if (b == std::string::npos)
    return {};
  auto e = s.find_last_not_of(" \t");
  return s.substr(b, e - b + 1);
}

}  // namespace

void ensure_curl_initialised() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

result<std::vector<std::string>> parse_etcd_endpoints(const std::string& address) {
  std::vector<std::string> out;
  if (trim(address).empty())
    return {{}, {"http://127.0.0.1:2379"}};
  std::stringstream in(address);
  std::string entry;
  while (std::getline(in, entry, ',')) {
    entry = trim(entry);
    if (entry.empty())
      return {make_error(errc::invalid_argument, registry_name,
                         "empty entry in address \"" + address + "\" (expected http://host:port,...)"),
              {}};
    std::string scheme = "http";
    if (auto scheme_end = entry.find("://"); scheme_end != std::string::npos) {
      scheme = entry.substr(0, scheme_end);
      entry = entry.substr(scheme_end + 3);
    }
    if (scheme != "http" && scheme != "https")
      return {make_error(errc::invalid_argument, registry_name,
                         "unsupported scheme \"" + scheme + "\" in \"" + address + "\" (http or https)"),
              {}};
    while (!entry.empty() && entry.back() == '/')
      entry.pop_back();
    if (entry.empty())
      return {make_error(errc::invalid_argument, registry_name, "no host in \"" + address + "\""), {}};
    entry = scheme + "://" + entry;
    out.push_back(entry);
  }
  return {{}, out};
}

struct etcd_client::state {
  etcd_client_options opts;
  std::mutex mtx;
  CURL* curl = nullptr;
  std::size_t preferred = 0;
};

etcd_client::etcd_client(std::vector<std::string> endpoints, etcd_client_options opts)
    : endpoints_(std::move(endpoints)), state_(std::make_unique<state>()) {
  ensure_curl_initialised();
  state_->opts = opts;
  state_->curl = curl_easy_init();
}

etcd_client::~etcd_client() {
  if (state_->curl)
    curl_easy_cleanup(state_->curl);
}

std::string etcd_client::preferred_endpoint() const {
  std::lock_guard<std::mutex> lock(state_->mtx);
  return endpoints_.empty() ? std::string{} : endpoints_[state_->preferred];
}

result<nlohmann::json> etcd_client::post(const std::string& path, const nlohmann::json& body) {
  std::lock_guard<std::mutex> lock(state_->mtx);
  auto& s = *state_;
  if (!s.curl || endpoints_.empty())
    return {make_error(errc::unavailable, registry_name, "no HTTP client or no endpoint"), {}};
  const auto request = body.dump();
  std::string failures;
  for (std::size_t attempt = 0; attempt < endpoints_.size(); ++attempt) {
    const auto index = (s.preferred + attempt) % endpoints_.size();
    const auto url = endpoints_[index] + path;
    bounded_buffer sink;
    sink.limit = s.opts.max_response_bytes;
    curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/json");
    curl_easy_reset(s.curl);
    curl_easy_setopt(s.curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(s.curl, CURLOPT_POSTFIELDS, request.c_str());
    curl_easy_setopt(s.curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(request.size()));
    curl_easy_setopt(s.curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(s.curl, CURLOPT_WRITEFUNCTION, append_bounded);
    curl_easy_setopt(s.curl, CURLOPT_WRITEDATA, &sink);
    curl_easy_setopt(s.curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(s.opts.connect_timeout.count()));
    curl_easy_setopt(s.curl, CURLOPT_TIMEOUT_MS, static_cast<long>(s.opts.request_timeout.count()));
    curl_easy_setopt(s.curl, CURLOPT_NOSIGNAL, 1L);
    const auto rc = curl_easy_perform(s.curl);
    curl_slist_free_all(headers);
    if (rc != CURLE_OK) {
      failures += (failures.empty() ? "" : "; ") + endpoints_[index] + ": " +
                  (sink.overflow ? "answer larger than " + std::to_string(sink.limit) + " bytes"
                                 : std::string(curl_easy_strerror(rc)));
      continue;
    }
    long http_status = 0;
    curl_easy_getinfo(s.curl, CURLINFO_RESPONSE_CODE, &http_status);
    auto answer = nlohmann::json::parse(sink.data, nullptr, false);
    if (answer.is_discarded() || !answer.is_object()) {
      failures += (failures.empty() ? "" : "; ") + endpoints_[index] + ": HTTP " +
                  std::to_string(http_status) + " with an answer that is not a JSON object";
      continue;
    }
    s.preferred = index;
    if (http_status != 200) {
      // The gateway's error shape: {"error": "...", "code": N, "message": "..."}.
      std::string why = etcd_string_field(answer, "message");
      if (why.empty())
        why = etcd_string_field(answer, "error");
      const auto code = http_status >= 500 && http_status != 501 ? errc::unavailable : errc::invalid_argument;
      return {make_error(code, registry_name,
                         path + " refused by " + endpoints_[index] + " (HTTP " + std::to_string(http_status) +
                             "): " + why),
              {}};
    }
    return {{}, std::move(answer)};
  }
  return {make_error(errc::unavailable, registry_name, "cannot reach etcd: " + failures), {}};
}

}  // namespace micro::registry
