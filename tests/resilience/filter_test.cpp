// Per-call filters over mDNS (the static registry knows no versions, metadata or endpoints):
// version, label, endpoint, composed; a filter no node passes is a 503 that names it.
#include <catch2/catch.hpp>

#include "resilience_helpers.hpp"

using namespace micro::test;
using Catch::Matchers::Contains;

namespace {

// `calls` roundrobin calls of Test.Whoami through `filters`: a multiple of the candidates' count
// gives each candidate exactly its share.
tally reach(micro::client& c, const std::string& service, std::vector<micro::named_filter> filters, int calls) {
  micro::call_options opts;
  opts.with_strategy(micro::strategy::roundrobin);
  for (auto& f : filters)
    opts.with_filter(std::move(f));
  return whoami_tally(c, service, 1, calls, opts);
}

std::set<std::string> resolved(micro::client& c, const std::string& service, const std::vector<micro::named_filter>& filters) {
  auto r = c.resolve(service, filters);
  INFO((r ? "" : r.error().to_json()));
  REQUIRE(r.ok());
  return {r->begin(), r->end()};
}

}  // namespace

TEST_CASE("filters by version and label reach only the nodes that pass and compose", "[resilience][filter][mdns]") {
  // n0: version 1 zone=a; n1: version 2 zone=a; n2: version 2 zone=b.
  const char* versions[] = {"1", "2", "2"};
  const char* zones[] = {"zone=a", "zone=a", "zone=b"};
  auto c = start_mdns_cluster(unique_service("filt"), 3, [&](int i, server_config& cfg) {
    cfg.env["MICRO_SERVER_VERSION"] = versions[i];
    cfg.env["MICRO_SERVER_METADATA"] = zones[i];
  });
  auto client = mdns_cluster_client(c);
  const auto& v1a = c.nodes[0].address;
  const auto& v2a = c.nodes[1].address;
  const auto& v2b = c.nodes[2].address;
  using micro::filters::label;
  using micro::filters::version;
  // One cluster for every case below (mDNS start-up is the slow part): plain blocks, not
  // SECTIONs, which would start it again for each.

  {  // version 2 reaches both version 2 nodes and nothing else
    CHECK(resolved(*client, c.name, {version("2")}) == std::set<std::string>{v2a, v2b});
    auto t = reach(*client, c.name, {version("2")}, 40);
    INFO(describe(t));
    REQUIRE(t.failed == 0);
    CHECK(t.of(v2a) == 20);
    CHECK(t.of(v2b) == 20);
    CHECK(t.of(v1a) == 0);
  }
  {  // version 1 reaches only the version 1 node
    auto t = reach(*client, c.name, {version("1")}, 10);
    INFO(describe(t));
    REQUIRE(t.failed == 0);
    CHECK(t.of(v1a) == 10);
  }
  {  // label zone=a reaches the two zone a nodes across versions
    CHECK(resolved(*client, c.name, {label("zone", "a")}) == std::set<std::string>{v1a, v2a});
    auto t = reach(*client, c.name, {label("zone", "a")}, 40);
    INFO(describe(t));
    REQUIRE(t.failed == 0);
    CHECK(t.of(v1a) == 20);
    CHECK(t.of(v2a) == 20);
    CHECK(t.of(v2b) == 0);
  }
  {  // composed filters: a node must pass all of them
    auto t = reach(*client, c.name, {version("2"), label("zone", "a")}, 10);
    INFO(describe(t));
    REQUIRE(t.failed == 0);
    CHECK(t.of(v2a) == 10);
    auto u = reach(*client, c.name, {label("zone", "b"), version("2")}, 10);
    INFO(describe(u));
    REQUIRE(u.failed == 0);
    CHECK(u.of(v2b) == 10);
    // A custom predicate composes with the named ones.
    auto not_v2b = micro::filters::custom("not " + v2b, [v2b](const micro::registry::service&, const micro::registry::node& n) {
      return n.address != v2b;
    });
    CHECK(resolved(*client, c.name, {version("2"), not_v2b}) == std::set<std::string>{v2a});
  }
  {  // the endpoint filter keeps nodes whose version declares the endpoint
    CHECK(resolved(*client, c.name, {micro::filters::endpoint("Test.Whoami")}) == c.addresses());
    auto none = client->call<json>(c.name, "Test.Whoami", json::object(),
                                   micro::call_options{}.with_filter(micro::filters::endpoint("Test.Nowhere")));
    REQUIRE_FALSE(none.ok());
    CHECK(none.error().code == 503);
    CHECK_THAT(none.error().detail, Contains("endpoint Test.Nowhere"));
  }
  {  // a filter no node passes is a 503 that names the filter
    auto none = client->call<json>(c.name, "Test.Whoami", json::object(),
                                   micro::call_options{}.with_filter(version("9")));
    REQUIRE_FALSE(none.ok());
    INFO(none.error().to_json());
    CHECK(none.error().code == 503);
    CHECK_THAT(none.error().detail, Contains("version 9"));
    CHECK_THAT(none.error().detail, Contains(c.name));
    CHECK_THAT(none.error().detail, Contains("3 nodes before filtering"));
    // Each filter passes some node, together none: the detail names both.
    auto both = client->call<json>(c.name, "Test.Whoami", json::object(),
                                   micro::call_options{}.with_filter(version("1")).with_filter(label("zone", "b")));
    REQUIRE_FALSE(both.ok());
    INFO(both.error().to_json());
    CHECK(both.error().code == 503);
    CHECK_THAT(both.error().detail, Contains("version 1"));
    CHECK_THAT(both.error().detail, Contains("label zone=b"));
    auto r = client->resolve(c.name, {version("9")});
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == 503);
  }
}
