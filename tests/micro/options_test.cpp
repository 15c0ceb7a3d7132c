// Options: set in code, from MICRO_* variables and from flags, all through one table.
#include <catch2/catch.hpp>

#include <cctype>
#include <cstdlib>
#include <set>
#include <string>
#include <vector>

#include "micro/options.hpp"

using namespace std::chrono_literals;
using Catch::Matchers::Contains;

namespace {

// Sets an environment variable for one scope and restores what was there before.
class scoped_env {
 public:
  scoped_env(std::string name, const std::string& value) : name_(std::move(name)) {
    if (const char* old = std::getenv(name_.c_str()))
      old_ = old, had_ = true;
    ::setenv(name_.c_str(), value.c_str(), 1);
  }
  ~scoped_env() {
    if (had_)
      ::setenv(name_.c_str(), old_.c_str(), 1);
    else
      ::unsetenv(name_.c_str());
  }
  scoped_env(const scoped_env&) = delete;
  scoped_env& operator=(const scoped_env&) = delete;

 private:
  std::string name_;
  std::string old_;
  bool had_ = false;
};

// apply_flags with a literal argv; argv[0] is the program name.
micro::result<micro::flag_outcome> flags(micro::options& o, std::vector<const char*> args,
                                         std::vector<std::string>* positional = nullptr) {
  args.insert(args.begin(), "prog");
  return micro::apply_flags(o, static_cast<int>(args.size()), args.data(), positional);
}

}  // namespace

// -- the table -----------------------------------------------------------------

TEST_CASE("option table keys, variables and flags follow one scheme", "[options]") {
  const auto& table = micro::option_table();
  REQUIRE(table.size() >= 17);
  std::set<std::string> keys;
  for (auto& info : table) {
    std::string key = info.key;
    INFO("key " << key);
    CHECK(keys.insert(key).second);  // unique
    std::string env = "MICRO_";
    for (char c : key)
      env += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    CHECK(info.env == env);
    CHECK(info.flag == "--" + key);
    CHECK(std::string{info.help}.size() > 0);
  }
  for (const char* key : {"server_name", "server_address", "server_max_concurrency", "registry",
                          "client_request_timeout", "scheduler", "heartbeat_interval"})
    CHECK(keys.count(key) == 1);
}

TEST_CASE("help text lists every flag, variable and current value", "[options]") {
  micro::options o;
  o.name = "helpful-service";
  o.request_timeout = 1234ms;
  auto text = micro::help_text(o);
  for (auto& info : micro::option_table()) {
    CHECK_THAT(text, Contains(info.flag));
    CHECK_THAT(text, Contains(info.env));
  }
  CHECK_THAT(text, Contains("[helpful-service]"));
  CHECK_THAT(text, Contains("[1234ms]"));
  CHECK_THAT(text, Contains("[sharing]"));
}

// -- set_option ----------------------------------------------------------------

TEST_CASE("set_option sets every kind of option from text", "[options]") {
  micro::options o;
  auto set = [&](const char* key, const char* value) {
    auto st = micro::set_option(o, key, value);
    INFO(key << "=" << value << ": " << (st ? std::string{"ok"} : st.error().detail));
    REQUIRE(st.ok());
  };
  set("server_name", "greeter");
  set("server_version", "1.2.3");
  set("server_metadata", "zone=eu,tier=gold");
  set("server_address", "127.0.0.1:8080");
  set("server_advertise", "example.org:443");
  set("server_max_concurrency", "8");
  set("server_drain_timeout", "250ms");
  set("register_ttl", "2m");
  set("register_interval", "10s");
  set("registry", "static");
  set("registry_address", "greeter=127.0.0.1:8080");
  set("client_request_timeout", "1500ms");
  set("client_content_type", "application/json");
  set("scheduler", "stealing");
  set("scheduler_threads", "4");
  set("heartbeat_interval", "0ms");
  set("connection_timeout", "1h");

  CHECK(o.name == "greeter");
  CHECK(o.version == "1.2.3");
  CHECK(o.metadata == micro::metadata{{"tier", "gold"}, {"zone", "eu"}});
  CHECK(o.server_address == "127.0.0.1:8080");
  CHECK(o.advertise == "example.org:443");
  CHECK(o.max_concurrency == 8);
  CHECK(o.drain_timeout == 250ms);
  CHECK(o.register_ttl == 120s);
  CHECK(o.register_interval == 10s);
  CHECK(o.registry == "static");
  CHECK(o.registry_address == "greeter=127.0.0.1:8080");
  CHECK(o.request_timeout == 1500ms);
  CHECK(o.content_type == "application/json");
  CHECK(o.scheduler == "stealing");
  CHECK(o.scheduler_threads == 4);
  CHECK(o.heartbeat_interval == 0ms);
  CHECK(o.connection_timeout == 3600s);
}

TEST_CASE("set_option takes auto scheduler threads", "[options]") {
  micro::options o;
  REQUIRE(micro::set_option(o, "scheduler_threads", "auto").ok());
  CHECK(o.scheduler_threads == 0);  // 0 is how options spell auto
  CHECK_THAT(micro::help_text(o), Contains("--scheduler_threads  (MICRO_SCHEDULER_THREADS)"));
  CHECK_THAT(micro::help_text(o), Contains("[auto]"));
  REQUIRE(micro::set_option(o, "scheduler_threads", "3").ok());
  CHECK(o.scheduler_threads == 3);
}

TEST_CASE("set_option accepts the edges of valid ports", "[options]") {
  micro::options o;
  CHECK(micro::set_option(o, "server_address", "0.0.0.0:0").ok());
  CHECK(o.server_address == "0.0.0.0:0");
  CHECK(micro::set_option(o, "server_address", "localhost:65535").ok());
  CHECK(o.server_address == "localhost:65535");
  CHECK(micro::set_option(o, "server_address", "[::1]:8080").ok());
  CHECK(o.server_address == "[::1]:8080");
}

namespace {

// A bad value: a 400 from micro.config whose detail names the option and the value, and the
// option keeps its previous value.
void check_rejected(const char* key, const char* value, const char* why_part = nullptr) {
  micro::options o;
  auto before = micro::help_text(o);
  auto st = micro::set_option(o, key, value);
  INFO(key << "=" << value);
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().code == 400);
  CHECK(st.error().status == "Bad Request");
  CHECK(st.error().id == "micro.config");
  CHECK_THAT(st.error().detail, Contains(key));
  CHECK_THAT(st.error().detail, Contains(value));
  if (why_part != nullptr)
    CHECK_THAT(st.error().detail, Contains(why_part));
  CHECK(micro::help_text(o) == before);  // nothing changed
}

}  // namespace

TEST_CASE("set_option rejects a port out of range", "[options]") {
  check_rejected("server_address", "127.0.0.1:70000", "65535");
  check_rejected("server_address", "127.0.0.1:65536", "65535");
  check_rejected("server_advertise", "example.org:99999");
}

TEST_CASE("set_option rejects addresses without a port", "[options]") {
  check_rejected("server_address", "127.0.0.1");
  check_rejected("server_address", "127.0.0.1:");
  check_rejected("server_address", "127.0.0.1:http");
  check_rejected("server_address", "127.0.0.1:-1");
}

TEST_CASE("set_option rejects an unknown scheduler", "[options]") {
  check_rejected("scheduler", "foo", "sharing or stealing");
  check_rejected("scheduler", "Sharing");
}

TEST_CASE("set_option rejects a max concurrency of zero", "[options]") {
  check_rejected("server_max_concurrency", "0", "at least 1");
}

TEST_CASE("set_option rejects counts that are not positive whole numbers", "[options]") {
  check_rejected("server_max_concurrency", "-1");
  check_rejected("server_max_concurrency", "abc");
  check_rejected("server_max_concurrency", "2.5");
  check_rejected("server_max_concurrency", "99999999999999999999");
  check_rejected("scheduler_threads", "0");
  check_rejected("scheduler_threads", "four");
}

TEST_CASE("set_option rejects bad durations naming the option", "[options]") {
  check_rejected("client_request_timeout", "5", "unit");
  check_rejected("server_drain_timeout", "5 days");
  check_rejected("register_ttl", "forever");
  check_rejected("heartbeat_interval", "-1s");
}

TEST_CASE("set_option rejects malformed metadata", "[options]") {
  check_rejected("server_metadata", "novalue", "key=value");
  check_rejected("server_metadata", "=v");
  check_rejected("server_metadata", ",=v");
  // "a=1,b" is rejected too, but the pairs before the bad one are applied (set_metadata writes
  // as it parses), so only the error is checked here.
  micro::options o;
  auto st = micro::set_option(o, "server_metadata", "a=1,b");
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().code == 400);
  CHECK_THAT(st.error().detail, Contains("server_metadata"));
}

TEST_CASE("set_option adds metadata pairs to those already set", "[options]") {
  micro::options o;
  o.with_metadata("zone", "eu");
  REQUIRE(micro::set_option(o, "server_metadata", "tier=gold,zone=us").ok());
  CHECK(o.metadata == micro::metadata{{"tier", "gold"}, {"zone", "us"}});
  REQUIRE(micro::set_option(o, "server_metadata", "").ok());  // nothing to add
  CHECK(o.metadata.size() == 2);
}

TEST_CASE("set_option rejects an unknown option by name", "[options]") {
  micro::options o;
  auto st = micro::set_option(o, "no_such_option", "1");
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().code == 400);
  CHECK_THAT(st.error().detail, Contains("no_such_option"));
  // the struct's field names are not keys: the table's are
  CHECK_FALSE(micro::set_option(o, "name", "x").ok());
  CHECK(o.name.empty());
}

// -- environment -----------------------------------------------------------------

TEST_CASE("apply_environment reads MICRO_ variables", "[options][env]") {
  scoped_env name{"MICRO_SERVER_NAME", "from-env"};
  scoped_env timeout{"MICRO_CLIENT_REQUEST_TIMEOUT", "2s"};
  scoped_env md{"MICRO_SERVER_METADATA", "a=1"};
  scoped_env sched{"MICRO_SCHEDULER", "stealing"};
  micro::options o;
  o.version = "from-code";
  auto st = micro::apply_environment(o);
  REQUIRE(st.ok());
  CHECK(o.name == "from-env");
  CHECK(o.request_timeout == 2000ms);
  CHECK(o.metadata == micro::metadata{{"a", "1"}});
  CHECK(o.scheduler == "stealing");
  CHECK(o.version == "from-code");  // unset variables leave code's values
}

TEST_CASE("apply_environment leaves options alone when nothing is set", "[options][env]") {
  for (auto& info : micro::option_table())
    ::unsetenv(info.env);
  micro::options o;
  o.name = "kept";
  o.max_concurrency = 3;
  auto before = micro::help_text(o);
  REQUIRE(micro::apply_environment(o).ok());
  CHECK(micro::help_text(o) == before);
}

TEST_CASE("code < MICRO_* < flags, whatever order apply_environment and apply_flags run in",
          "[options][env][flags]") {
  scoped_env sel{"MICRO_SELECTOR", "leastconn"};
  scoped_env retries{"MICRO_CLIENT_RETRIES", "4"};
  SECTION("flags alone: the environment is read first, then the flags win over it") {
    micro::options o;
    o.selector = "latency";  // code
    REQUIRE(flags(o, {"--selector", "roundrobin"}).ok());
    CHECK(o.selector == "roundrobin");  // flag over env over code
    CHECK(o.retries == 4);              // env over code where no flag says otherwise
    CHECK(o.environment_applied);
  }
  SECTION("the environment is applied at most once, so later flags or code are kept") {
    micro::options o;
    REQUIRE(micro::apply_environment(o).ok());
    REQUIRE(flags(o, {"--selector=random"}).ok());
    o.retries = 0;  // code after the environment
    REQUIRE(micro::apply_environment(o).ok());
    CHECK(o.selector == "random");
    CHECK(o.retries == 0);
  }
  SECTION("read_environment = false ignores MICRO_*") {
    micro::options o;
    o.with_environment(false);
    REQUIRE(micro::apply_environment(o).ok());
    REQUIRE(flags(o, {}).ok());
    CHECK(o.selector == "random");
    CHECK(o.retries == 1);
  }
}

TEST_CASE("apply_environment reports a bad variable by name", "[options][env]") {
  scoped_env bad{"MICRO_SERVER_MAX_CONCURRENCY", "0"};
  micro::options o;
  auto st = micro::apply_environment(o);
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().code == 400);
  CHECK(st.error().status == "Bad Request");
  CHECK_THAT(st.error().detail, Contains("MICRO_SERVER_MAX_CONCURRENCY"));
  CHECK_THAT(st.error().detail, Contains("server_max_concurrency"));
  CHECK(o.max_concurrency == 64);
}

TEST_CASE("apply_environment then flags: flags win", "[options][env]") {
  scoped_env name{"MICRO_SERVER_NAME", "from-env"};
  scoped_env version{"MICRO_SERVER_VERSION", "env-version"};
  micro::options o;
  REQUIRE(micro::apply_environment(o).ok());
  REQUIRE(flags(o, {"--server_name=from-flag"}));
  CHECK(o.name == "from-flag");
  CHECK(o.version == "env-version");
}

// -- flags -----------------------------------------------------------------------

TEST_CASE("apply_flags takes --key=value and --key value", "[options][flags]") {
  micro::options o;
  auto r = flags(o, {"--server_name=greeter", "--server_version", "2.0", "--client_request_timeout=750ms",
                     "--server_address", "127.0.0.1:0"});
  REQUIRE(r.ok());
  CHECK_FALSE(r->help_requested);
  CHECK(o.name == "greeter");
  CHECK(o.version == "2.0");
  CHECK(o.request_timeout == 750ms);
  CHECK(o.server_address == "127.0.0.1:0");
}

TEST_CASE("apply_flags accepts dashes for underscores", "[options][flags]") {
  micro::options o;
  REQUIRE(flags(o, {"--server-max-concurrency=5", "--client-request-timeout", "3s", "--server-name", "dashed"}));
  CHECK(o.max_concurrency == 5);
  CHECK(o.request_timeout == 3s);
  CHECK(o.name == "dashed");
}

TEST_CASE("apply_flags splits --key=value at the first equals sign", "[options][flags]") {
  micro::options o;
  REQUIRE(flags(o, {"--server_metadata=k=v,x=y=z"}));
  CHECK(o.metadata == micro::metadata{{"k", "v"}, {"x", "y=z"}});
}

TEST_CASE("apply_flags skips argv[0]", "[options][flags]") {
  micro::options o;
  const char* argv[] = {"--server_name=not-a-flag"};
  auto r = micro::apply_flags(o, 1, argv);
  REQUIRE(r.ok());
  CHECK(o.name.empty());
}

TEST_CASE("apply_flags rejects an unknown flag by name", "[options][flags]") {
  micro::options o;
  auto r = flags(o, {"--server_name=x", "--bogus-flag=1"});
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == 400);
  CHECK(r.error().id == "micro.config");
  CHECK_THAT(r.error().detail, Contains("--bogus-flag"));
  CHECK_THAT(r.error().detail, Contains("--help"));
}

TEST_CASE("apply_flags reports a flag without its value", "[options][flags]") {
  micro::options o;
  auto r = flags(o, {"--server_version=1", "--server_name"});
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == 400);
  CHECK_THAT(r.error().detail, Contains("--server_name"));
  CHECK_THAT(r.error().detail, Contains("value"));
}

TEST_CASE("apply_flags reports a bad value naming the option", "[options][flags]") {
  micro::options o;
  SECTION("port") {
    auto r = flags(o, {"--server_address", "127.0.0.1:70000"});
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == 400);
    CHECK_THAT(r.error().detail, Contains("server_address"));
    CHECK(o.server_address == "0.0.0.0:0");
  }
  SECTION("scheduler") {
    auto r = flags(o, {"--scheduler=foo"});
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == 400);
    CHECK_THAT(r.error().detail, Contains("scheduler"));
    CHECK_THAT(r.error().detail, Contains("foo"));
  }
  SECTION("max concurrency") {
    auto r = flags(o, {"--server-max-concurrency=0"});
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == 400);
    CHECK_THAT(r.error().detail, Contains("server_max_concurrency"));
  }
  SECTION("duration") {
    auto r = flags(o, {"--register_ttl", "90"});
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == 400);
    CHECK_THAT(r.error().detail, Contains("register_ttl"));
    CHECK_THAT(r.error().detail, Contains("unit"));
  }
}

TEST_CASE("apply_flags without a positional list rejects arguments", "[options][flags]") {
  micro::options o;
  auto r = flags(o, {"stray"});
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == 400);
  CHECK_THAT(r.error().detail, Contains("stray"));
}

TEST_CASE("apply_flags collects positional arguments and flags it does not know", "[options][flags]") {
  micro::options o;
  std::vector<std::string> positional;
  auto r = flags(o, {"call", "greeter", "--server_name=cli", "Greeter.Hello", "--metadata=a=b", "-v"},
                 &positional);
  REQUIRE(r.ok());
  CHECK(o.name == "cli");
  CHECK(positional == std::vector<std::string>{"call", "greeter", "Greeter.Hello", "--metadata=a=b", "-v"});
}

TEST_CASE("apply_flags reports --help and -h", "[options][flags]") {
  micro::options o;
  auto r = flags(o, {"--server_name=x", "--help"});
  REQUIRE(r.ok());
  CHECK(r->help_requested);
  CHECK(o.name == "x");  // flags before --help still apply, so help shows them
  auto h = flags(o, {"-h"});
  REQUIRE(h.ok());
  CHECK(h->help_requested);
  auto none = flags(o, {});
  REQUIRE(none.ok());
  CHECK_FALSE(none->help_requested);
}

// -- durations ---------------------------------------------------------------------

TEST_CASE("parse_duration reads every unit", "[options][duration]") {
  struct good {
    const char* text;
    std::chrono::nanoseconds expected;
  };
  good cases[] = {
    {"7ns", 7ns}, {"100us", 100us}, {"250ms", 250ms}, {"5s", 5s},
    {"1m", 1min}, {"2h", 2h}, {"0s", 0s}, {"0ms", 0ms}, {"90s", 90s}, {"007ms", 7ms},
  };
  for (auto& c : cases) {
    INFO(c.text);
    auto d = micro::parse_duration(c.text);
    REQUIRE(d.ok());
    CHECK(*d == c.expected);
  }
}

TEST_CASE("parse_duration needs a unit", "[options][duration]") {
  auto d = micro::parse_duration("5");
  REQUIRE_FALSE(d.ok());
  CHECK(d.error().code == 400);
  CHECK_THAT(d.error().detail, Contains("unit"));
  CHECK_THAT(d.error().detail, Contains("\"5\""));
}

TEST_CASE("parse_duration rejects an unknown unit by name", "[options][duration]") {
  for (const char* text : {"5d", "5sec", "5S", "5 s", "1.5s", "5ms "}) {
    INFO(text);
    auto d = micro::parse_duration(text);
    REQUIRE_FALSE(d.ok());
    CHECK(d.error().code == 400);
    CHECK_THAT(d.error().detail, Contains("unknown duration unit"));
  }
  auto d = micro::parse_duration("3days");
  REQUIRE_FALSE(d.ok());
  CHECK_THAT(d.error().detail, Contains("\"days\""));
}

TEST_CASE("parse_duration rejects garbage", "[options][duration]") {
  for (const char* text : {"", "s", "ms", "abc", "-5s", "+5s", " 5s", "five seconds"}) {
    INFO("\"" << text << "\"");
    auto d = micro::parse_duration(text);
    REQUIRE_FALSE(d.ok());
    CHECK(d.error().code == 400);
    CHECK(d.error().id == "micro.config");
  }
}
