// Edge values the option parser must refuse whole, with a 400 naming the option.
#include <catch2/catch.hpp>

#include "micro/micro.hpp"

TEST_CASE("a duration too long for nanoseconds is refused, not wrapped") {
  auto d = micro::parse_duration("999999999999999h");
  REQUIRE_FALSE(d.ok());
  CHECK(d.error().code == 400);
  CHECK_THAT(d.error().detail, Catch::Contains("too long"));
}

TEST_CASE("ports past 65535 are refused however they are written") {
  micro::options o;
  for (const char* bad : {"h:0000065536", "h:65536", ":8080", "h:"}) {
    auto st = micro::set_option(o, "server_address", bad);
    INFO(bad);
    REQUIRE_FALSE(st.ok());
    CHECK(st.error().code == 400);
    CHECK_THAT(st.error().detail, Catch::Contains("server_address"));
  }
  CHECK(micro::set_option(o, "server_address", "h:00065535").ok());
}

TEST_CASE("register TTL and interval are whole seconds of at least one") {
  micro::options o;
  auto ttl = micro::set_option(o, "register_ttl", "500ms");
  REQUIRE_FALSE(ttl.ok());
  CHECK_THAT(ttl.error().detail, Catch::Contains("register_ttl"));
  CHECK(o.register_ttl == std::chrono::seconds{90});
  CHECK_FALSE(micro::set_option(o, "register_interval", "1500ms").ok());
  REQUIRE(micro::set_option(o, "register_ttl", "2m").ok());
  CHECK(o.register_ttl == std::chrono::seconds{120});
}

TEST_CASE("bad metadata leaves the metadata as it was") {
  micro::options o;
  o.metadata["keep"] = "1";
  REQUIRE_FALSE(micro::set_option(o, "server_metadata", "a=1,b").ok());
  CHECK(o.metadata == micro::metadata{{"keep", "1"}});
}

TEST_CASE("an unknown registry makes start fail with a coded error, not a crash") {
  micro::options o;
  o.name = "svc";
  o.server_address = "127.0.0.1:0";
  o.registry = "consul";
  micro::service svc{o};
  auto st = svc.start();
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().code == 400);
  CHECK_THAT(st.error().detail, Catch::Contains("consul"));
}
