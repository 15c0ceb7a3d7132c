// The transport limits (max frame size, handshake and idle timeouts, max connections): set from
// text through the one options table, with bounds refused whole and named.
#include <catch2/catch.hpp>

#include "micro/options.hpp"

using namespace std::chrono_literals;
using Catch::Matchers::Contains;

TEST_CASE("transport limits have their defaults and are set from text", "[options][transport]") {
  micro::options o;
  CHECK(o.max_frame_size == (std::size_t{16} << 20));
  CHECK(o.handshake_timeout == 5s);
  CHECK(o.idle_timeout == 60s);
  CHECK(o.max_connections == 1024);
  REQUIRE(micro::set_option(o, "transport_max_frame_size", "4MiB").ok());
  REQUIRE(micro::set_option(o, "transport_handshake_timeout", "250ms").ok());
  REQUIRE(micro::set_option(o, "transport_idle_timeout", "0ms").ok());
  REQUIRE(micro::set_option(o, "transport_max_connections", "100").ok());
  CHECK(o.max_frame_size == (std::size_t{4} << 20));
  CHECK(o.handshake_timeout == 250ms);
  CHECK(o.idle_timeout == 0ms);
  CHECK(o.max_connections == 100);
  auto help = micro::help_text(o);
  CHECK_THAT(help, Contains("MICRO_TRANSPORT_MAX_FRAME_SIZE"));
  CHECK_THAT(help, Contains("[4MiB]"));
}

TEST_CASE("parse_size reads bytes and binary units", "[options][size]") {
  struct good {
    const char* text;
    std::size_t expected;
  };
  good cases[] = {{"4096", 4096}, {"4096B", 4096}, {"64KiB", 64 << 10}, {"16MiB", 16 << 20},
                  {"1GiB", std::size_t{1} << 30}, {"0", 0}};
  for (auto& c : cases) {
    INFO(c.text);
    auto n = micro::parse_size(c.text);
    REQUIRE(n.ok());
    CHECK(*n == c.expected);
  }
  for (const char* bad : {"", "MiB", "16mb", "16 MiB", "-1", "1.5MiB", "16MB", "99999999999999"}) {
    INFO("\"" << bad << "\"");
    auto n = micro::parse_size(bad);
    REQUIRE_FALSE(n.ok());
    CHECK(n.error().code == 400);
  }
}

TEST_CASE("transport limits out of range are refused whole, naming the option", "[options][transport]") {
  micro::options o;
  for (const char* bad : {"1023", "4GiB", "5000MiB", "lots"}) {
    INFO(bad);
    auto st = micro::set_option(o, "transport_max_frame_size", bad);
    REQUIRE_FALSE(st.ok());
    CHECK(st.error().code == 400);
    CHECK_THAT(st.error().detail, Contains("transport_max_frame_size"));
  }
  CHECK(micro::set_option(o, "transport_max_frame_size", "4194303KiB").ok());  // 4 GiB - 1 KiB
  CHECK_FALSE(micro::set_option(o, "transport_handshake_timeout", "0ms").ok());
  CHECK_FALSE(micro::set_option(o, "transport_max_connections", "0").ok());
  CHECK(o.handshake_timeout == 5s);
  CHECK(o.max_connections == 1024);
}
