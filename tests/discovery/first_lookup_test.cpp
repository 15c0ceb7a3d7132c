// A fresh process's first lookup over mDNS (a real avahi-daemon) must list every node the
// registry holds: short-lived clients otherwise lean on whichever node they saw first.
#include <catch2/catch.hpp>

#include <cstdio>
#include <map>

#include "discovery_helpers.hpp"

using namespace micro;
using namespace micro::test;

TEST_CASE("discovery: the first lookup of every fresh process lists both nodes", "[discovery][mdns][first_lookup]") {
  auto c = mdns_client();
  const auto name = unique("disc-first");
  auto a = start_mdns_server(name);
  auto b = start_mdns_server(name);
  // Both nodes are registered and resolvable before any fresh process looks.
  REQUIRE(await_listed(*c, name, a.address, true) >= 0);
  REQUIRE(await_listed(*c, name, b.address, true) >= 0);

  constexpr int fresh = 100;
  int both = 0;
  std::map<std::string, int> partial;  // what the others saw
  for (int i = 0; i < fresh; ++i) {
    process p{sibling_binary("micro-test-first-lookup"), {name}, heartbeat_env()};
    auto line = p.read_line(stream::out, 20s);
    REQUIRE(line);
    auto ended = p.wait(10s);
    REQUIRE(ended);
    const bool saw_both = line->rfind("nodes 2 ", 0) == 0 && line->find(a.address) != std::string::npos &&
                          line->find(b.address) != std::string::npos;
    if (saw_both)
      ++both;
    else
      ++partial[*line];
  }
  std::printf("discovery: first lookups of %d fresh processes that listed both nodes: %d\n", fresh, both);
  for (auto& [line, n] : partial)
    std::printf("discovery:   %d x \"%s\"\n", n, line.c_str());
  CHECK(both == fresh);
}
