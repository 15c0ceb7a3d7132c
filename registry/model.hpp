// What a registry stores: go-micro's Service/Endpoint/Node, minus the recursive
// Value schema (request/response are plain type names here; codecs own schemas).
#pragma once

#include <map>
#include <string>
#include <vector>

namespace micro::registry {

using metadata = std::map<std::string, std::string>;

struct endpoint {
  std::string name;      // "Greeter.Hello"
  std::string request;   // request type name, e.g. "greeter.HelloRequest"
  std::string response;  // response type name
  metadata meta;         // e.g. {"stream","true"} or {"subscriber","true"},{"topic",...}
};

struct node {
  std::string id;       // unique per process instance, e.g. "greeter-<uuid>"
  std::string address;  // "host:port" where the node actor listens
  metadata meta;
};

// One version of a named service. A registry returns one `service` per version.
struct service {
  std::string name;
  std::string version;
  metadata meta;
  std::vector<endpoint> endpoints;
  std::vector<node> nodes;
};

bool operator==(const endpoint& a, const endpoint& b);
bool operator!=(const endpoint& a, const endpoint& b);
bool operator==(const node& a, const node& b);
bool operator!=(const node& a, const node& b);
bool operator==(const service& a, const service& b);
bool operator!=(const service& a, const service& b);

}  // namespace micro::registry
