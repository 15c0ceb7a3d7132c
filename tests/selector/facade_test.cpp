// The facade's side of selection and retries: strategy names, named filters, the default
// retry policy, how the client turns registry results into candidates and a retry rule
// (micro/client.cpp through micro/detail/client_impl.hpp), and the selector options.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <set>
#include <string>
#include <vector>

#include "actors/call_plan.hpp"
#include "actors/wire.hpp"
#include "micro/client.hpp"
#include "micro/detail/client_impl.hpp"
#include "micro/options.hpp"
#include "micro/selector.hpp"

using namespace std::chrono_literals;
using Catch::Matchers::Contains;
using micro::failure_kind;

namespace {

const std::vector<micro::strategy> all_strategies{micro::strategy::random, micro::strategy::roundrobin,
                                                  micro::strategy::leastconn, micro::strategy::latency};
const std::vector<failure_kind> all_kinds{failure_kind::not_delivered, failure_kind::refused, failure_kind::node_lost,
                                          failure_kind::timeout, failure_kind::handler_error};

micro::registry::node make_node(std::string id, std::string address, micro::registry::metadata meta = {}) {
  return {std::move(id), std::move(address), std::move(meta)};
}

micro::registry::endpoint make_endpoint(std::string name, micro::registry::metadata meta = {}) {
  micro::registry::endpoint e;
  e.name = std::move(name);
  e.meta = std::move(meta);
  return e;
}

micro::registry::service make_service(std::string version, std::vector<micro::registry::endpoint> endpoints,
                                      std::vector<micro::registry::node> nodes) {
  micro::registry::service s;
  s.name = "greeter";
  s.version = std::move(version);
  s.endpoints = std::move(endpoints);
  s.nodes = std::move(nodes);
  return s;
}

using found_t = micro::registry::result<std::vector<micro::registry::service>>;

found_t found(std::vector<micro::registry::service> versions) {
  found_t f;
  f.value = std::move(versions);
  return f;
}

// Two versions of greeter: 1.0 on a (zone eu) and b (zone us), 2.0 on c (zone eu).
found_t two_versions(micro::registry::metadata hello_meta_1 = {{"idempotent", "true"}},
                     micro::registry::metadata hello_meta_2 = {{"idempotent", "true"}}) {
  return found({make_service("1.0", {make_endpoint("Greeter.Hello", std::move(hello_meta_1))},
                             {make_node("a", "a:1", {{"zone", "eu"}}), make_node("b", "b:1", {{"zone", "us"}})}),
                make_service("2.0",
                             {make_endpoint("Greeter.Hello", std::move(hello_meta_2)), make_endpoint("Greeter.Bye")},
                             {make_node("c", "c:1", {{"zone", "eu"}})})});
}

std::set<std::string> as_set(const std::vector<std::string>& v) { return {v.begin(), v.end()}; }

// Asks the retry rule that resolve_into built about one failed attempt.
bool retried(const micro::detail::prepared_call& call, micro::actors::attempt_failure kind, int code = 503) {
  micro::actors::response err;
  err.code = code;
  err.error_id = "test";
  err.detail = "failed";
  micro::actors::failed_attempt a{1, &err, kind};
  REQUIRE(call.plan.retry);
  return call.plan.retry(a);
}

}  // namespace

// ---- strategy names ---------------------------------------------------------------------------

TEST_CASE("strategy names round-trip through parse_strategy", "[selector][strategy]") {
  std::set<std::string> names;
  for (auto s : all_strategies) {
    std::string name = micro::to_string(s);
    names.insert(name);
    auto parsed = micro::parse_strategy(name);
    REQUIRE(parsed.ok());
    CHECK(*parsed == s);
  }
  CHECK(names == std::set<std::string>{"random", "roundrobin", "leastconn", "latency"});
}

TEST_CASE("an unknown strategy is a 400 naming the known ones", "[selector][strategy]") {
  for (std::string bad : {"bogus", "", "RoundRobin", "random ", "least_conn"}) {
    INFO("\"" << bad << "\"");
    auto parsed = micro::parse_strategy(bad);
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.error().code == 400);
    CHECK(parsed.error().id == "micro.selector");
    CHECK_THAT(parsed.error().detail, Contains("\"" + bad + "\""));
    for (auto s : all_strategies)
      CHECK_THAT(parsed.error().detail, Contains(micro::to_string(s)));
  }
}

TEST_CASE("failure kinds have distinct names", "[selector][retry]") {
  std::set<std::string> names;
  for (auto k : all_kinds)
    names.insert(micro::to_string(k));
  CHECK(names == std::set<std::string>{"not_delivered", "refused", "node_lost", "timeout", "handler_error"});
}

// ---- filters ----------------------------------------------------------------------------------

TEST_CASE("filters::version keeps the nodes of one version", "[selector][filters]") {
  auto f = micro::filters::version("2.0");
  CHECK(f.description == "version 2.0");
  auto n = make_node("x", "x:1");
  CHECK(f.keep(make_service("2.0", {}, {}), n));
  CHECK_FALSE(f.keep(make_service("1.0", {}, {}), n));
  CHECK_FALSE(f.keep(make_service("2.0.1", {}, {}), n));
  CHECK_FALSE(f.keep(make_service("", {}, {}), n));
}

TEST_CASE("filters::label keeps nodes whose metadata has the value", "[selector][filters]") {
  auto f = micro::filters::label("zone", "eu");
  CHECK(f.description == "label zone=eu");
  auto s = make_service("1.0", {}, {});
  CHECK(f.keep(s, make_node("x", "x:1", {{"zone", "eu"}, {"rack", "3"}})));
  CHECK_FALSE(f.keep(s, make_node("x", "x:1", {{"zone", "us"}})));
  CHECK_FALSE(f.keep(s, make_node("x", "x:1", {{"region", "eu"}})));
  CHECK_FALSE(f.keep(s, make_node("x", "x:1")));
  auto empty = micro::filters::label("zone", "");
  CHECK(empty.keep(s, make_node("x", "x:1", {{"zone", ""}})));
  CHECK_FALSE(empty.keep(s, make_node("x", "x:1")));  // absent is not the empty value
}

TEST_CASE("filters::endpoint keeps versions that declare the endpoint", "[selector][filters]") {
  auto f = micro::filters::endpoint("Greeter.Bye");
  CHECK(f.description == "endpoint Greeter.Bye");
  auto n = make_node("x", "x:1");
  CHECK(f.keep(make_service("2.0", {make_endpoint("Greeter.Hello"), make_endpoint("Greeter.Bye")}, {}), n));
  CHECK_FALSE(f.keep(make_service("1.0", {make_endpoint("Greeter.Hello")}, {}), n));
  CHECK_FALSE(f.keep(make_service("1.0", {}, {}), n));
  CHECK_FALSE(f.keep(make_service("1.0", {make_endpoint("Greeter.ByeBye")}, {}), n));
}

TEST_CASE("filters::custom keeps its description and predicate", "[selector][filters]") {
  int calls = 0;
  auto f = micro::filters::custom("id starts with a", [&calls](const micro::registry::service&,
                                                              const micro::registry::node& n) {
    ++calls;
    return n.id.rfind("a", 0) == 0;
  });
  CHECK(f.description == "id starts with a");
  auto s = make_service("1.0", {}, {});
  CHECK(f.keep(s, make_node("alpha", "x:1")));
  CHECK_FALSE(f.keep(s, make_node("beta", "x:1")));
  CHECK(calls == 2);
}

TEST_CASE("the client's candidates pass every filter across versions", "[selector][filters][client]") {
  using micro::detail::select_addresses;
  namespace filters = micro::filters;
  auto f = two_versions();
  auto all = select_addresses("greeter", f, {});
  REQUIRE(all.ok());
  CHECK(as_set(*all) == std::set<std::string>{"a:1", "b:1", "c:1"});

  auto eu = select_addresses("greeter", f, {filters::label("zone", "eu")});
  REQUIRE(eu.ok());
  CHECK(as_set(*eu) == std::set<std::string>{"a:1", "c:1"});

  auto eu_v1 = select_addresses("greeter", f, {filters::label("zone", "eu"), filters::version("1.0")});
  REQUIRE(eu_v1.ok());
  CHECK(*eu_v1 == std::vector<std::string>{"a:1"});

  auto bye = select_addresses("greeter", f, {filters::endpoint("Greeter.Bye")});
  REQUIRE(bye.ok());
  CHECK(*bye == std::vector<std::string>{"c:1"});

  auto not_b = select_addresses(
    "greeter", f, {filters::custom("not b", [](const auto&, const auto& n) { return n.id != "b"; })});
  REQUIRE(not_b.ok());
  CHECK(as_set(*not_b) == std::set<std::string>{"a:1", "c:1"});

  // A filter without a predicate keeps everything.
  auto empty = select_addresses("greeter", f, {micro::named_filter{"nothing", {}}});
  REQUIRE(empty.ok());
  CHECK(empty->size() == 3);
}

TEST_CASE("no node passing the filters is a 503 naming them", "[selector][filters][client]") {
  namespace filters = micro::filters;
  auto r = micro::detail::select_addresses("greeter", two_versions(),
                                           {filters::version("2.0"), filters::label("zone", "us")});
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == 503);
  CHECK_THAT(r.error().detail, Contains("greeter"));
  CHECK_THAT(r.error().detail, Contains("version 2.0"));
  CHECK_THAT(r.error().detail, Contains("label zone=us"));
  CHECK_THAT(r.error().detail, Contains("3 nodes before filtering"));
}

TEST_CASE("registry failures become 404 and 503 for the caller", "[selector][client]") {
  found_t missing;
  missing.st = micro::registry::make_error(micro::registry::errc::not_found, "memory", "service \"greeter\" not found");
  auto r = micro::detail::select_addresses("greeter", missing, {});
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == 404);
  CHECK_THAT(r.error().detail, Contains("greeter"));

  found_t down;
  down.st = micro::registry::make_error(micro::registry::errc::unavailable, "mdns", "backend down");
  r = micro::detail::select_addresses("greeter", down, {});
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == 503);
  CHECK_THAT(r.error().detail, Contains("backend down"));

  r = micro::detail::select_addresses("greeter", found({make_service("1.0", {}, {})}), {});
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == 503);
  CHECK_THAT(r.error().detail, Contains("has no nodes"));
}

// ---- retries ----------------------------------------------------------------------------------

TEST_CASE("default_retry_policy truth table", "[selector][retry]") {
  for (auto kind : all_kinds)
    for (bool idempotent : {false, true})
      for (bool on_timeout : {false, true}) {
        bool expected = false;
        switch (kind) {
          case failure_kind::not_delivered: expected = true; break;
          case failure_kind::refused: expected = true; break;
          case failure_kind::node_lost: expected = idempotent; break;
          case failure_kind::timeout: expected = on_timeout; break;
          case failure_kind::handler_error: expected = false; break;
        }
        micro::retry_info info;
        info.attempt = 1;
        info.error = micro::errors::service_unavailable("test", "x");
        info.kind = kind;
        info.idempotent = idempotent;
        info.retry_on_timeout = on_timeout;
        INFO(micro::to_string(kind) << " idempotent=" << idempotent << " retry_on_timeout=" << on_timeout);
        CHECK(micro::default_retry_policy(info) == expected);
      }
}

TEST_CASE("the default policy does not depend on the attempt or the error code", "[selector][retry]") {
  for (int attempt : {1, 2, 7})
    for (int code : {400, 408, 500, 503}) {
      micro::retry_info info;
      info.attempt = attempt;
      info.error = micro::make_error("test", code, "x");
      info.kind = failure_kind::handler_error;
      CHECK_FALSE(micro::default_retry_policy(info));
      info.kind = failure_kind::refused;
      CHECK(micro::default_retry_policy(info));
    }
}

TEST_CASE("a lost node is retried only if every version declares the endpoint idempotent", "[selector][retry][client]") {
  using micro::actors::attempt_failure;
  micro::detail::prepared_call call;
  micro::call_options opts;

  SECTION("both versions idempotent") {
    REQUIRE(micro::detail::resolve_into(call, "greeter", "Greeter.Hello", two_versions(), opts).ok());
    CHECK(as_set(call.plan.candidates) == std::set<std::string>{"a:1", "b:1", "c:1"});
    CHECK(retried(call, attempt_failure::node_lost));
  }
  SECTION("one version not idempotent") {
    REQUIRE(micro::detail::resolve_into(call, "greeter", "Greeter.Hello", two_versions({}), opts).ok());
    CHECK_FALSE(retried(call, attempt_failure::node_lost));
    CHECK(retried(call, attempt_failure::not_delivered));  // safe anyway
    CHECK(retried(call, attempt_failure::refused));
  }
  SECTION("a flag other than \"true\" is not idempotent") {
    REQUIRE(micro::detail::resolve_into(call, "greeter", "Greeter.Hello",
                                        two_versions({{"idempotent", "yes"}}), opts).ok());
    CHECK_FALSE(retried(call, attempt_failure::node_lost));
  }
  SECTION("the call says it is idempotent, whatever the registry says") {
    opts.with_idempotent();
    REQUIRE(micro::detail::resolve_into(call, "greeter", "Greeter.Bye", two_versions({}, {}), opts).ok());
    CHECK(retried(call, attempt_failure::node_lost));
    CHECK_FALSE(retried(call, attempt_failure::handler_error));
    CHECK_FALSE(retried(call, attempt_failure::timeout));  // a 408 still needs retry_on_timeout
  }
  SECTION("a version that does not declare the endpoint") {
    // Greeter.Bye exists only in 2.0 (and without the flag); 1.0 does not declare it.
    REQUIRE(micro::detail::resolve_into(call, "greeter", "Greeter.Bye", two_versions(), opts).ok());
    CHECK_FALSE(retried(call, attempt_failure::node_lost));
  }
  SECTION("only the versions left by the filters count") {
    opts.with_filter(micro::filters::version("2.0"));
    REQUIRE(micro::detail::resolve_into(call, "greeter", "Greeter.Hello", two_versions({}), opts).ok());
    CHECK(call.plan.candidates == std::vector<std::string>{"c:1"});
    CHECK(retried(call, attempt_failure::node_lost));
  }
  SECTION("filtered out entirely") {
    opts.with_filter(micro::filters::version("3.0"));
    auto st = micro::detail::resolve_into(call, "greeter", "Greeter.Hello", two_versions(), opts);
    REQUIRE_FALSE(st.ok());
    CHECK(st.error().code == 503);
    CHECK_FALSE(call.plan.retry);  // nothing built
  }
}

TEST_CASE("the retry rule tells the policy what the client knows", "[selector][retry][client]") {
  using micro::actors::attempt_failure;
  micro::detail::prepared_call call;
  micro::call_options opts;
  std::vector<micro::retry_info> seen;
  opts.with_retry_on_timeout().with_retry_policy([&seen](const micro::retry_info& info) {
    seen.push_back(info);
    return info.kind == failure_kind::handler_error;  // the opposite of the default
  });
  REQUIRE(micro::detail::resolve_into(call, "greeter", "Greeter.Hello", two_versions(), opts).ok());

  micro::actors::response err;
  err.code = 500;
  err.error_id = "greeter";
  err.detail = "boom";
  micro::actors::failed_attempt a{3, &err, attempt_failure::handler_error};
  CHECK(call.plan.retry(a));
  REQUIRE(seen.size() == 1);
  CHECK(seen[0].attempt == 3);
  CHECK(seen[0].kind == failure_kind::handler_error);
  CHECK(seen[0].idempotent);
  CHECK(seen[0].retry_on_timeout);
  CHECK(seen[0].error.code == 500);
  CHECK(seen[0].error.id == "greeter");
  CHECK(seen[0].error.detail == "boom");

  CHECK_FALSE(retried(call, attempt_failure::not_delivered));  // the user's policy, not the default
  REQUIRE(seen.size() == 2);
  CHECK(seen[1].kind == failure_kind::not_delivered);
  // Each actor-level kind maps to the facade kind of the same name.
  std::vector<std::pair<attempt_failure, failure_kind>> kinds{
    {attempt_failure::refused, failure_kind::refused},
    {attempt_failure::node_lost, failure_kind::node_lost},
    {attempt_failure::timeout, failure_kind::timeout}};
  for (auto& [from, to] : kinds) {
    retried(call, from);
    CHECK(seen.back().kind == to);
  }
}

TEST_CASE("a 408 is retried only when the call opts in", "[selector][retry][client]") {
  using micro::actors::attempt_failure;
  micro::detail::prepared_call call;
  micro::call_options opts;
  REQUIRE(micro::detail::resolve_into(call, "greeter", "Greeter.Hello", two_versions(), opts).ok());
  CHECK_FALSE(retried(call, attempt_failure::timeout, 408));
  CHECK_FALSE(retried(call, attempt_failure::handler_error, 500));

  opts.with_retry_on_timeout();
  REQUIRE(micro::detail::resolve_into(call, "greeter", "Greeter.Hello", two_versions(), opts).ok());
  CHECK(retried(call, attempt_failure::timeout, 408));
}

TEST_CASE("call_plan defaults", "[selector][retry]") {
  micro::actors::call_plan plan;
  CHECK(plan.strategy == micro::actors::strategy::random);
  CHECK(plan.retries == 1);
  CHECK(plan.backoff == std::chrono::nanoseconds{10ms});
  CHECK(plan.candidates.empty());
  CHECK_FALSE(plan.retry);
}

// ---- options ----------------------------------------------------------------------------------

TEST_CASE("the selector option accepts the strategy names only", "[selector][options]") {
  micro::options opts;
  CHECK(opts.selector == "random");
  for (auto s : all_strategies) {
    REQUIRE(micro::set_option(opts, "selector", micro::to_string(s)).ok());
    CHECK(opts.selector == micro::to_string(s));
  }
  auto st = micro::set_option(opts, "selector", "bogus");
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().code == 400);
  CHECK_THAT(st.error().detail, Contains("selector"));
  CHECK_THAT(st.error().detail, Contains("bogus"));
  CHECK_THAT(st.error().detail, Contains("roundrobin"));
  CHECK_THAT(st.error().detail, Contains("leastconn"));
  CHECK(opts.selector == "latency");  // unchanged by the bad value
}

TEST_CASE("MICRO_SELECTOR is checked when the environment is applied", "[selector][options]") {
  micro::options opts;
  ::setenv("MICRO_SELECTOR", "bogus", 1);
  auto st = micro::apply_environment(opts);
  ::setenv("MICRO_SELECTOR", "leastconn", 1);
  auto good = micro::apply_environment(opts);
  ::unsetenv("MICRO_SELECTOR");
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().code == 400);
  CHECK_THAT(st.error().detail, Contains("MICRO_SELECTOR"));
  REQUIRE(good.ok());
  CHECK(opts.selector == "leastconn");
}

TEST_CASE("client_retries accepts 0 and whole numbers only", "[selector][options]") {
  micro::options opts;
  CHECK(opts.retries == 1);
  REQUIRE(micro::set_option(opts, "client_retries", "0").ok());
  CHECK(opts.retries == 0);
  REQUIRE(micro::set_option(opts, "client_retries", "4").ok());
  CHECK(opts.retries == 4);
  for (std::string bad : {"-1", "x", "", "1.5", "2 "}) {
    INFO("\"" << bad << "\"");
    auto st = micro::set_option(opts, "client_retries", bad);
    REQUIRE_FALSE(st.ok());
    CHECK(st.error().code == 400);
    CHECK_THAT(st.error().detail, Contains("client_retries"));
  }
  CHECK(opts.retries == 4);
}

TEST_CASE("the circuit and back-off options", "[selector][options]") {
  micro::options opts;
  CHECK(opts.failure_threshold == 5);
  CHECK(opts.circuit_backoff == 1000ms);
  CHECK(opts.retry_backoff == 10ms);

  REQUIRE(micro::set_option(opts, "selector_failure_threshold", "2").ok());
  CHECK(opts.failure_threshold == 2);
  auto zero = micro::set_option(opts, "selector_failure_threshold", "0");
  REQUIRE_FALSE(zero.ok());  // 0 would open every circuit on its first failure
  CHECK(zero.error().code == 400);
  CHECK(opts.failure_threshold == 2);

  REQUIRE(micro::set_option(opts, "selector_circuit_backoff", "250ms").ok());
  CHECK(opts.circuit_backoff == 250ms);
  REQUIRE(micro::set_option(opts, "selector_circuit_backoff", "2s").ok());
  CHECK(opts.circuit_backoff == 2000ms);
  auto unitless = micro::set_option(opts, "selector_circuit_backoff", "250");
  REQUIRE_FALSE(unitless.ok());
  CHECK(unitless.error().code == 400);
  CHECK(opts.circuit_backoff == 2000ms);

  REQUIRE(micro::set_option(opts, "client_retry_backoff", "25ms").ok());
  CHECK(opts.retry_backoff == 25ms);
  auto bad = micro::set_option(opts, "client_retry_backoff", "soon");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().code == 400);
  CHECK(opts.retry_backoff == 25ms);
}

TEST_CASE("the selector options are in the option table with their variables", "[selector][options]") {
  std::set<std::string> envs;
  for (auto& o : micro::option_table())
    envs.insert(o.env);
  for (auto env : {"MICRO_SELECTOR", "MICRO_CLIENT_RETRIES", "MICRO_CLIENT_RETRY_BACKOFF",
                   "MICRO_SELECTOR_FAILURE_THRESHOLD", "MICRO_SELECTOR_CIRCUIT_BACKOFF"}) {
    INFO(env);
    CHECK(envs.count(env) == 1);
  }
}
