#pragma once
// Shared by the selector tests: a fixed clock origin and pick-counting helpers.

#include <catch2/catch.hpp>

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "actors/selector.hpp"

namespace selector_test {

using namespace std::chrono_literals;
using micro::actors::selector;
using micro::actors::strategy;
using clock_type = micro::actors::selector::clock;
using time_point = clock_type::time_point;

// An arbitrary origin far from the clock's epoch, so that "before" is representable.
inline const time_point t0 = time_point{} + std::chrono::hours{100};

inline const std::vector<std::string> none{};

// One pick that must succeed.
inline std::string pick_one(selector& sel, strategy s, const std::vector<std::string>& candidates,
                            const std::vector<std::string>& tried = none, time_point now = t0,
                            const std::string& service = "svc") {
  std::string why;
  auto picked = sel.pick(service, s, candidates, tried, now, why);
  INFO("pick failed: " << why);
  REQUIRE(picked.has_value());
  return *picked;
}

// How often each address is picked in `n` picks (no marks change between picks).
inline std::map<std::string, int> count_picks(selector& sel, strategy s, const std::vector<std::string>& candidates,
                                              int n, const std::vector<std::string>& tried = none,
                                              time_point now = t0) {
  std::map<std::string, int> counts;
  for (int i = 0; i < n; ++i)
    ++counts[pick_one(sel, s, candidates, tried, now)];
  return counts;
}

}  // namespace selector_test
