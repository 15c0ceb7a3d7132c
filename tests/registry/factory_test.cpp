#include <catch2/catch.hpp>

#include "registry/memory.hpp"
#include "registry/registry.hpp"

using namespace micro::registry;

TEST_CASE("factory: unknown backend is a clear error", "[factory]") {
  auto r = make_registry("consul");
  CHECK(r.st.code == errc::invalid_argument);
  CHECK(r.st.message == "registry: unknown registry \"consul\" (known: memory, static, mdns, etcd)");
  CHECK(r.value == nullptr);
  CHECK(make_registry("").st.code == errc::invalid_argument);
  CHECK(make_registry("Memory").st.code == errc::invalid_argument);
}

TEST_CASE("factory: memory gives the process-wide instances", "[factory]") {
  auto r = make_registry("memory");
  REQUIRE(r.ok());
  CHECK(r.value->name() == "memory");
  CHECK(r.value == std::static_pointer_cast<registry>(memory_registry::shared()));

  auto named = make_registry("memory", "factory_test");
  REQUIRE(named.ok());
  CHECK(named.value == std::static_pointer_cast<registry>(memory_registry::shared("factory_test")));
  CHECK(named.value != r.value);
}

TEST_CASE("factory: static parses its address", "[factory]") {
  auto r = make_registry("static", "greeter=127.0.0.1:9001");
  REQUIRE(r.ok());
  CHECK(r.value->name() == "static");
  auto got = r.value->get_service("greeter");
  REQUIRE(got.ok());
  CHECK(got.value.at(0).nodes.at(0).address == "127.0.0.1:9001");

  auto bad = make_registry("static", "greeter=127.0.0.1");
  CHECK(bad.st.code == errc::invalid_argument);
  CHECK_THAT(bad.st.message, Catch::Contains("missing port"));
  CHECK(bad.value == nullptr);

  CHECK(make_registry("static").st.code == errc::invalid_argument);
}
