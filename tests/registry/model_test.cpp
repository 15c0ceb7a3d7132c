#include <catch2/catch.hpp>

#include "registry/registry.hpp"

using namespace micro::registry;

namespace {

service full_service() {
  return service{"greeter",
                 "1.0.0",
                 {{"team", "core"}},
                 {endpoint{"Greeter.Hello", "HelloRequest", "HelloResponse", {{"stream", "false"}}}},
                 {node{"greeter-1", "127.0.0.1:9001", {{"protocol", "caf"}}}}};
}

}  // namespace

TEST_CASE("model equality compares every field", "[model]") {
  const service a = full_service();
  CHECK(a == full_service());
  CHECK_FALSE(a != full_service());

  service b = a;
  b.name = "other";
  CHECK(a != b);
  b = a;
  b.version = "2.0.0";
  CHECK(a != b);
  b = a;
  b.meta["team"] = "edge";
  CHECK(a != b);
  b = a;
  b.endpoints[0].request = "Other";
  CHECK(a != b);
  b = a;
  b.endpoints[0].meta.clear();
  CHECK(a != b);
  b = a;
  b.nodes[0].address = "127.0.0.1:9002";
  CHECK(a != b);
  b = a;
  b.nodes[0].meta["protocol"] = "mucp";
  CHECK(a != b);
  b = a;
  b.nodes.push_back(node{"greeter-2", "127.0.0.1:9002", {}});
  CHECK(a != b);
}

TEST_CASE("event types print as go-micro's actions", "[model]") {
  CHECK(std::string(to_string(event_type::create)) == "create");
  CHECK(std::string(to_string(event_type::update)) == "update");
  CHECK(std::string(to_string(event_type::remove)) == "delete");
}

TEST_CASE("status and result report success and failure", "[model]") {
  status ok;
  CHECK(ok.ok());
  CHECK(static_cast<bool>(ok));
  status bad = make_error(errc::not_found, "memory", "service \"x\" not found");
  CHECK_FALSE(bad.ok());
  CHECK_FALSE(static_cast<bool>(bad));
  CHECK(bad.message == "registry memory: service \"x\" not found");
  CHECK(std::string(to_string(errc::invalid_argument)) == "invalid_argument");
  CHECK(std::string(to_string(errc::watcher_stopped)) == "watcher_stopped");

  result<int> r{bad, 0};
  CHECK_FALSE(r.ok());
  CHECK_FALSE(static_cast<bool>(r));
  result<int> good{{}, 7};
  CHECK(good.ok());
  CHECK(good.value == 7);
}

TEST_CASE("validate_service rejects what a registry cannot store", "[model]") {
  CHECK(validate_service("memory", full_service()).ok());

  service s = full_service();
  s.name.clear();
  auto st = validate_service("memory", s);
  CHECK(st.code == errc::invalid_argument);
  CHECK(st.message == "registry memory: service name is empty");

  s = full_service();
  s.nodes.clear();
  st = validate_service("memory", s);
  CHECK(st.code == errc::invalid_argument);
  CHECK_THAT(st.message, Catch::Contains("\"greeter\" has no nodes"));

  s = full_service();
  s.nodes[0].id.clear();
  st = validate_service("memory", s);
  CHECK(st.code == errc::invalid_argument);
  CHECK_THAT(st.message, Catch::Contains("node without an id"));

  s = full_service();
  s.nodes[0].address.clear();
  st = validate_service("memory", s);
  CHECK(st.code == errc::invalid_argument);
  CHECK_THAT(st.message, Catch::Contains("node \"greeter-1\" has no address"));

  s = full_service();
  s.nodes.push_back(s.nodes[0]);
  st = validate_service("memory", s);
  CHECK(st.code == errc::invalid_argument);
  CHECK_THAT(st.message, Catch::Contains("appears twice"));

  // Deregistration only needs ids.
  s = full_service();
  s.nodes[0].address.clear();
  CHECK(validate_deregister("memory", s).ok());
  s.nodes[0].id.clear();
  CHECK(validate_deregister("memory", s).code == errc::invalid_argument);
  s.nodes.clear();
  CHECK(validate_deregister("memory", s).code == errc::invalid_argument);
}
