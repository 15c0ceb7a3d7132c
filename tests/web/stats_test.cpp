// The dashboard's arithmetic and input checks, without processes: rates and percentiles from
// Debug.Stats answers summed over nodes, a node that restarts, odd answers, and the call form's
// body. The page itself is tested in a browser (dashboard_test.mjs).
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

#include "web/call_request.hpp"
#include "web/query.hpp"
#include "web/stats.hpp"

using micro::web::call_figures;
using micro::web::parse_debug_stats;
using micro::web::stats_book;
using json = nlohmann::json;

namespace {

// A Debug.Stats answer with one endpoint: `fast` calls under 100 us, `slow` ones of 1-2.5 ms.
json debug_stats(std::uint64_t fast, std::uint64_t slow, std::uint64_t errors = 0) {
  json counts = json::array();
  for (int i = 0; i < 16; ++i)
    counts.push_back(i == 1 ? fast : i == 5 ? slow : 0);
  return {{"requests", fast + slow + 99}, {"errors", errors}, {"in_flight", 1}, {"memory", 1000}, {"uptime", 5},
          {"endpoints",
           {{"Greeter.Hello",
             {{"requests", fast + slow},
              {"errors", errors},
              {"latency", {{"bounds_us", {50, 100, 250, 500, 1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000,
                                          500000, 1000000, 5000000}},
                           {"counts", counts}}}}}}}};
}

json series(const json& view, const std::string& endpoint) { return view.at("endpoints").at(endpoint); }

}  // namespace

TEST_CASE("rates and percentiles are summed over the nodes of a service", "[web][stats]") {
  stats_book book;
  book.record("greeter", 100, {{"a", parse_debug_stats(debug_stats(0, 0))}, {"b", parse_debug_stats(debug_stats(0, 0))}});
  CHECK_FALSE(book.view("greeter").at("endpoints").contains("*"));  // a baseline only
  // In 2 s: node a took 180 fast calls, node b 20 slow ones (2 of them failed).
  book.record("greeter", 102,
              {{"a", parse_debug_stats(debug_stats(180, 0))}, {"b", parse_debug_stats(debug_stats(0, 20, 2))}});
  auto all = series(book.view("greeter"), "*");
  REQUIRE(all.size() == 1);
  CHECK(all[0][1].get<double>() == Approx(100));  // calls/s: 90 + 10
  CHECK(all[0][2].get<double>() == Approx(1));    // errors/s
  CHECK(all[0][3].get<double>() < 0.1);           // p50 among the fast calls (ms)
  CHECK(all[0][5].get<double>() > 1.0);           // p99 among the slow ones
  CHECK(all[0][6].get<double>() == 2);            // in flight, summed
  auto hello = series(book.view("greeter"), "Greeter.Hello");
  CHECK(hello[0][1].get<double>() == Approx(100));
  // One node's own view.
  auto b = series(book.view("greeter", "b"), "*");
  CHECK(b[0][1].get<double>() == Approx(10));
  CHECK(b[0][3].get<double>() > 1.0);
  CHECK(book.view("greeter", "nope").is_null());
  CHECK(book.view("nope").is_null());
}

TEST_CASE("a node that restarted or went away does not make negative rates", "[web][stats]") {
  stats_book book;
  book.record("s", 1, {{"a", parse_debug_stats(debug_stats(1000, 0))}, {"b", parse_debug_stats(debug_stats(10, 0))}});
  book.record("s", 2, {{"a", parse_debug_stats(debug_stats(5, 0))}});  // a restarted, b is gone
  auto view = book.view("s");
  CHECK(series(view, "*")[0][1].get<double>() == Approx(5));
  REQUIRE(view.at("nodes").size() == 1);
  CHECK(view.at("nodes")[0].at("id") == "a");
  book.retain({});
  CHECK(book.view("s").is_null());
}

TEST_CASE("odd Debug.Stats answers count as zero, older nodes by their totals", "[web][stats]") {
  auto odd = parse_debug_stats(json{{"requests", "many"}, {"endpoints", {{"X.Y", {{"latency", {{"counts", {1}}}}}}}}});
  CHECK(odd.all.requests == 0);
  CHECK(odd.all.quantile_ms(0.5) < 0);
  CHECK(parse_debug_stats(json::array()).all.requests == 0);
  auto older = parse_debug_stats(json{{"requests", 7}, {"errors", 1}});
  CHECK(older.all.requests == 7);
  CHECK(older.endpoints.empty());
}

TEST_CASE("quantiles interpolate within a bucket and stop at the last bound", "[web][stats]") {
  call_figures f;
  f.bounds_us = {100, 1000};
  f.counts = {0, 10, 0};
  CHECK(f.quantile_ms(0.5) == Approx(0.55));
  f.counts = {0, 0, 4};
  CHECK(f.quantile_ms(0.99) == Approx(1.0));
}

TEST_CASE("the call form's body is checked field by field", "[web][call]") {
  using micro::web::parse_call_request;
  auto max = std::chrono::milliseconds{10000};
  auto ok = parse_call_request(R"({"service":"greeter","endpoint":"Greeter.Hello","request":{"name":"A"},"timeout_ms":60000})", max);
  REQUIRE(ok.ok());
  CHECK(ok->body == R"({"name":"A"})");
  CHECK(ok->timeout == max);
  for (auto bad : {"", "{", "[1]", R"({"endpoint":"A.B"})", R"({"service":"s"})", R"({"service":"s","endpoint":"nodot"})",
                   R"({"service":1,"endpoint":"A.B"})", R"({"service":"s","endpoint":"A.B","timeout_ms":-1})",
                   R"({"service":"s","endpoint":"A.B","timeout_ms":"1s"})", R"({"service":"s","endpoint":"A.B","node":5})"}) {
    auto r = parse_call_request(bad, max);
    INFO(bad);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == 400);
  }
}

TEST_CASE("query strings are percent-decoded", "[web][query]") {
  auto q = micro::web::parse_query("service=a%2Fb&node=&body=%7B%22x%22%3A1%7D+y&bad=%zz");
  CHECK(q["service"] == "a/b");
  CHECK(q["node"].empty());
  CHECK(q["body"] == R"({"x":1} y)");
  CHECK(q["bad"] == "%zz");
}
