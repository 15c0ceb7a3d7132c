#include <catch2/catch.hpp>

#include "registry/static.hpp"

using namespace micro::registry;
using namespace std::chrono_literals;

TEST_CASE("static: parses nodes, several per name, tolerating whitespace", "[static]") {
  auto parsed = parse_static_address(
      " greeter=127.0.0.1:9001 ,greeter = 127.0.0.1:9002,\tusers=localhost:80 ,v6=[::1]:65535 ");
  REQUIRE(parsed.ok());
  REQUIRE(parsed.value.size() == 3);

  const auto& greeter = parsed.value[0];
  CHECK(greeter.name == "greeter");
  CHECK(greeter.version == "");
  CHECK(greeter.nodes == std::vector<node>{node{"greeter-127.0.0.1:9001", "127.0.0.1:9001", {}},
                                           node{"greeter-127.0.0.1:9002", "127.0.0.1:9002", {}}});
  CHECK(parsed.value[1].name == "users");
  CHECK(parsed.value[1].nodes == std::vector<node>{node{"users-localhost:80", "localhost:80", {}}});
  CHECK(parsed.value[2].nodes.at(0).address == "[::1]:65535");
}

TEST_CASE("static: an address may carry the node's metadata after ';'", "[static]") {
  auto parsed = parse_static_address("greeter=127.0.0.1:9001; transport=tcp ;transport_address=9002,users=h:1");
  REQUIRE(parsed.ok());
  CHECK(parsed.value.at(0).nodes.at(0) == node{"greeter-127.0.0.1:9001", "127.0.0.1:9001",
                                               {{"transport", "tcp"}, {"transport_address", "9002"}}});
  CHECK(parsed.value.at(1).nodes.at(0).meta.empty());
  auto bad = parse_static_address("greeter=127.0.0.1:9001;transport");
  CHECK(bad.st.code == errc::invalid_argument);
  CHECK(bad.st.message.find("option \"transport\": missing '='") != std::string::npos);
}

TEST_CASE("static: leading zeros in a port are normalised", "[static]") {
  auto parsed = parse_static_address("greeter=h:09001");
  REQUIRE(parsed.ok());
  CHECK(parsed.value.at(0).nodes.at(0).address == "h:9001");
}

TEST_CASE("static: malformed input is refused, naming the bad entry", "[static]") {
  struct bad {
    const char* input;
    const char* says;
  };
  const bad cases[] = {
      {"", "no nodes given"},
      {"  \t ", "no nodes given"},
      {"greeter", "entry 1 \"greeter\": missing '='"},
      {"greeter=h:1,users127.0.0.1:80", "entry 2 \"users127.0.0.1:80\": missing '='"},
      {"=127.0.0.1:9001", "entry 1 \"=127.0.0.1:9001\": empty service name"},
      {"  =h:1", "empty service name"},
      {"my svc=h:1", "\"my svc=h:1\": service name contains whitespace"},
      {"greeter=", "\"greeter=\": missing address"},
      {"greeter=127.0.0.1", "\"greeter=127.0.0.1\": missing port"},
      {"greeter=127.0.0.1:", "\"greeter=127.0.0.1:\": missing port"},
      {"greeter=:9001", "\"greeter=:9001\": missing host"},
      {"greeter=h:abc", "invalid port \"abc\""},
      {"greeter=h:-1", "invalid port \"-1\""},
      {"greeter=h:+80", "invalid port \"+80\""},
      {"greeter=h:0", "invalid port \"0\""},
      {"greeter=h:65536", "invalid port \"65536\""},
      {"greeter=h:123456", "invalid port \"123456\""},
      {"greeter=h:99999999999999999999", "invalid port"},
      {"greeter=h:80 80", "invalid port \"80 80\""},
      {"greeter=a b:80", "invalid host \"a b\""},
      {"greeter=h=x:80", "invalid host \"h=x\""},
      {"greeter=::1:9001", "IPv6 host must be in brackets"},
      {"greeter=[::1:9001", "unterminated '['"},
      {"greeter=[::1]9001", "missing port"},
      {"greeter=[]:9001", "missing host"},
      {"a=h:1,,b=h:2", "entry 2 is empty"},
      {"a=h:1,", "entry 2 is empty"},
      {",a=h:1", "entry 1 is empty"},
      {"a=h:1, a = h:1", "entry 2 \"a = h:1\": duplicate entry"},
      {"a=h:1;", "entry 1 \"a=h:1;\": empty option (stray ';'?)"},
      {"a=h:1;idempotent=A.B;", "empty option"},
      {"a=h:1;;idempotent=A.B", "empty option"},
      {"a=h:1;idempotent", "option \"idempotent\": missing '='"},
      {"a=h:1;idempotent=", "option \"idempotent=\": missing endpoint name"},
      {"a=h:1;idempotent=A B", "invalid endpoint name \"A B\""},
      {"a=h:1;idempotent=A=B", "invalid endpoint name \"A=B\""},
      {"a=h:1;=2", "option \"=2\": empty key"},
      {"a=h;idempotent=A.B", "missing port"},
      {"a=h:1;idempotent=A.B, a=h:1", "entry 2 \"a=h:1\": duplicate entry"},
  };
  for (const auto& c : cases) {
    INFO("input: \"" << c.input << "\"");
    auto parsed = parse_static_address(c.input);
    CHECK(parsed.st.code == errc::invalid_argument);
    CHECK_THAT(parsed.st.message, Catch::StartsWith("registry static: "));
    CHECK_THAT(parsed.st.message, Catch::Contains(c.says));
    CHECK(parsed.value.empty());

    auto reg = static_registry::from_address(c.input);
    CHECK(reg.st.code == errc::invalid_argument);
    CHECK(reg.value == nullptr);
  }
}

TEST_CASE("static: serves the configured nodes", "[static]") {
  auto made = static_registry::from_address("greeter=h:1,greeter=h:2,users=h:3");
  REQUIRE(made.ok());
  auto& reg = *made.value;
  CHECK(reg.name() == "static");

  auto got = reg.get_service("greeter");
  REQUIRE(got.ok());
  REQUIRE(got.value.size() == 1);
  CHECK(got.value[0].nodes.size() == 2);

  auto missing = reg.get_service("nope");
  CHECK(missing.st.code == errc::not_found);
  CHECK_THAT(missing.st.message, Catch::StartsWith("registry static: service \"nope\" not found"));

  auto all = reg.list_services();
  REQUIRE(all.ok());
  REQUIRE(all.value.size() == 2);
  CHECK(all.value[0].name == "greeter");
  CHECK(all.value[1].name == "users");
  CHECK(all.value[0].nodes.empty());
}

TEST_CASE("static: register and deregister validate, then change nothing", "[static]") {
  auto reg = static_registry::from_address("greeter=h:1").value;
  REQUIRE(reg);
  const service me{"greeter", "v9", {}, {}, {node{"greeter-x", "h:99", {}}}};
  CHECK(reg->register_service(me).ok());
  CHECK(reg->deregister_service(me).ok());
  CHECK(reg->register_service(service{"", "", {}, {}, {node{"x", "h:1", {}}}}).code ==
        errc::invalid_argument);
  CHECK(reg->deregister_service(service{"greeter", "", {}, {}, {}}).code ==
        errc::invalid_argument);
  auto got = reg->get_service("greeter");
  REQUIRE(got.ok());
  CHECK(got.value.at(0).nodes == std::vector<node>{node{"greeter-h:1", "h:1", {}}});
}

TEST_CASE("static: a watcher yields nothing until stopped", "[static]") {
  auto reg = static_registry::from_address("greeter=h:1").value;
  REQUIRE(reg);
  auto w = reg->watch();
  REQUIRE(w);
  CHECK_FALSE(w->next(50ms).has_value());
  CHECK_FALSE(w->stopped());
  w->stop();
  CHECK(w->stopped());
  CHECK_FALSE(w->overflowed());
  CHECK_FALSE(w->next(0ms).has_value());
}

TEST_CASE("static: idempotent=Endpoint after an address declares it for the whole service", "[static]") {
  auto parsed = parse_static_address(
      "greeter=h:1 ; idempotent = Greeter.Hello;idempotent=Greeter.Again, greeter=h:2;idempotent=Greeter.Hello,"
      "greeter=[::1]:3;idempotent=Greeter.Other,users=h:4");
  REQUIRE(parsed.ok());
  REQUIRE(parsed.value.size() == 2);
  const metadata idem{{"idempotent", "true"}};
  const auto& greeter = parsed.value[0];
  CHECK(greeter.nodes == std::vector<node>{node{"greeter-h:1", "h:1", {}}, node{"greeter-h:2", "h:2", {}},
                                           node{"greeter-[::1]:3", "[::1]:3", {}}});
  CHECK(greeter.endpoints == std::vector<endpoint>{endpoint{"Greeter.Hello", "", "", idem},
                                                   endpoint{"Greeter.Again", "", "", idem},
                                                   endpoint{"Greeter.Other", "", "", idem}});
  CHECK(parsed.value[1].endpoints.empty());  // options belong to the service they follow

  auto reg = static_registry::from_address("greeter=h:1;idempotent=Greeter.Hello").value;
  REQUIRE(reg);
  auto got = reg->get_service("greeter");
  REQUIRE(got.ok());
  CHECK(got.value.at(0).endpoints == std::vector<endpoint>{endpoint{"Greeter.Hello", "", "", idem}});
}
