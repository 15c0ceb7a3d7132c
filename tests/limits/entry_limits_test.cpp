// Registry entries from the network (mDNS TXT records, etcd values) past registry/limits.hpp are
// too_large, naming the limit; request metadata past actors/metadata_limits.hpp likewise.
#include <catch2/catch.hpp>

#include "actors/metadata_limits.hpp"
#include "registry/etcd_nodes.hpp"
#include "registry/limits.hpp"
#include "registry/mdns_txt.hpp"

using namespace micro::registry;

namespace {

service one_node() {
  service s{"greeter", "1.0.0", {}, {}, {}};
  s.nodes.push_back(node{"greeter-1", "127.0.0.1:9000", {}});
  s.endpoints.push_back({"Greeter.Hello", "greeter.Request", "greeter.Response", {}});
  return s;
}

bool says(const status& st, const std::string& what) { return st.message.find(what) != std::string::npos; }

}  // namespace

TEST_CASE("entry limits: an ordinary entry passes, each limit is a too_large naming it") {
  CHECK(check_entry_limits("etcd", one_node()).ok());

  auto s = one_node();
  s.endpoints.resize(1025, s.endpoints.front());
  auto st = check_entry_limits("etcd", s);
  CHECK(st.code == errc::too_large);
  CHECK(std::string(to_string(st.code)) == "too_large");
  CHECK(says(st, "registry etcd: entry of service \"greeter\" dropped: 1025 endpoints (limit 1024)"));

  s = one_node();
  s.nodes.push_back(node{"greeter-2", "127.0.0.1:9001", {}});
  CHECK(says(check_entry_limits("mdns", s), "2 nodes (limit 1)"));

  s = one_node();
  for (int i = 0; i < 129; ++i) s.nodes[0].meta["k" + std::to_string(i)] = "v";
  CHECK(says(check_entry_limits("mdns", s), "129 node metadata entries (limit 128)"));

  s = one_node();
  s.endpoints[0].meta[std::string(257, 'k')] = "v";
  CHECK(says(check_entry_limits("mdns", s), "a metadata key of 257 bytes (limit 256)"));

  s = one_node();
  s.meta["k"] = std::string(16385, 'v');
  CHECK(says(check_entry_limits("mdns", s), "a metadata value of 16385 bytes (limit 16384)"));

  s = one_node();
  s.nodes[0].address = std::string(1025, 'a');
  CHECK(says(check_entry_limits("mdns", s), "node address of 1025 bytes (limit 1024)"));

  entry_limits lower;
  lower.max_endpoints = 0;
  CHECK(check_entry_limits("etcd", one_node(), lower).code == errc::too_large);
}

TEST_CASE("entry limits: what mDNS TXT and etcd values decode is checked before it is cached") {
  // A TXT record announcing 2,000 endpoints, and an etcd value with as many: both decode (the
  // decoders are bounded by their input), and the limit check drops them.
  std::vector<std::string> txt{"service=s", "node=n", "address=127.0.0.1:1"};
  for (int i = 0; i < 2000; ++i) txt.push_back("ep." + std::to_string(i) + "=E" + std::to_string(i));
  auto from_mdns = mdns::decode_txt(txt);
  REQUIRE(from_mdns);
  CHECK(says(check_entry_limits("mdns", *from_mdns), "2000 endpoints (limit 1024)"));

  auto from_etcd = decode_etcd_value(encode_etcd_value(*from_mdns, from_mdns->nodes[0]));
  REQUIRE(from_etcd);
  CHECK(check_entry_limits("etcd", *from_etcd).code == errc::too_large);
}

TEST_CASE("metadata limits: entries, key and value sizes") {
  using micro::actors::check_metadata;
  std::map<std::string, std::string> m;
  for (int i = 0; i < 128; ++i) m["k" + std::to_string(i)] = "v";
  CHECK(check_metadata(m).empty());
  // The trace context micro adds does not count against the caller's entries; its size does.
  m["traceparent"] = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
  m["tracestate"] = "micro=1";
  CHECK(check_metadata(m).empty());
  CHECK(check_metadata({{"traceparent", std::string(16385, 'v')}}) ==
        "metadata \"traceparent\" has a value of 16385 bytes, limit 16384");
  m["one-more"] = "v";
  CHECK(check_metadata(m) == "metadata has 129 entries, limit 128");
  CHECK(check_metadata({{std::string(257, 'k'), "v"}}) == "a metadata key of 257 bytes, limit 256");
  CHECK(check_metadata({{"token", std::string(16385, 'v')}}) ==
        "metadata \"token\" has a value of 16385 bytes, limit 16384");
  CHECK(check_metadata({{"token", std::string(16384, 'v')}}).empty());
}
