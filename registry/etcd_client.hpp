// A small client of etcd's v3 API through its JSON gateway (POST /v3/kv/range, /v3/lease/grant,
// ...), on libcurl. Why the gateway and libcurl rather than etcd's gRPC API: a registry does a
// handful of requests a minute; libcurl is on every Debian machine and adds no generated code,
// while grpc++ would put gRPC's and protobuf's generated etcd stubs into every micro process.
//
// Endpoints are tried in order; the one that answered last is tried first next time, so a
// cluster member that goes down costs one connect timeout, once.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "registry/status.hpp"

namespace micro::registry {

struct etcd_client_options {
  std::chrono::milliseconds connect_timeout{1000};
  std::chrono::milliseconds request_timeout{3000};
  // A gateway answer larger than this is refused (it comes from the network).
  std::size_t max_response_bytes = 16u << 20;
};

// "http://host:port[,http://host:port...]"; "" = http://127.0.0.1:2379. A missing scheme means
// http://. invalid_argument for an empty entry or a scheme other than http/https.
result<std::vector<std::string>> parse_etcd_endpoints(const std::string& address);

class etcd_client {
 public:
  etcd_client(std::vector<std::string> endpoints, etcd_client_options opts = {});
  ~etcd_client();
  etcd_client(const etcd_client&) = delete;
  etcd_client& operator=(const etcd_client&) = delete;

  // POSTs `body` to `path` (e.g. "/v3/kv/put") and returns the parsed answer.
  // unavailable: no endpoint answered (the message names each and why);
  // invalid_argument: etcd refused the request (its error message is kept).
  // Thread-safe; requests are serialised (one connection, kept alive).
  result<nlohmann::json> post(const std::string& path, const nlohmann::json& body);

  const std::vector<std::string>& endpoints() const { return endpoints_; }
  // The endpoint to try first (the last one that answered).
  std::string preferred_endpoint() const;

 private:
  struct state;
  std::vector<std::string> endpoints_;
  std::unique_ptr<state> state_;
};

// Makes sure curl_global_init ran once in this process (it is not thread-safe to race).
void ensure_curl_initialised();

}  // namespace micro::registry
