// A client written from README alone: `micro::client client{options}` with MICRO_* variables set.
// The environment overrides code (code < MICRO_* < flags), and a configuration that cannot
// work is an error value on every call, never an exception out of the constructor.
#include <cstdlib>

#include <catch2/catch.hpp>

#include "harness.hpp"

using namespace micro::test;

namespace {

// Sets variables for one scope and restores what was there before.
class scoped_env {
 public:
  scoped_env& set(const std::string& name, const std::string& value) {
    remember(name);
    ::setenv(name.c_str(), value.c_str(), 1);
    return *this;
  }
  scoped_env& unset(const std::string& name) {
    remember(name);
    ::unsetenv(name.c_str());
    return *this;
  }
  ~scoped_env() {
    for (auto& [name, old] : saved_)
      if (old)
        ::setenv(name.c_str(), old->c_str(), 1);
      else
        ::unsetenv(name.c_str());
  }

 private:
  void remember(const std::string& name) {
    if (saved_.count(name) == 0) {
      const char* old = std::getenv(name.c_str());
      saved_[name] = old ? std::optional<std::string>{old} : std::nullopt;
    }
  }
  std::map<std::string, std::optional<std::string>> saved_;
};

micro::result<micro::raw_message> echo(micro::client& c, const std::string& service) {
  micro::raw_message req;
  req.content_type = req.accept = "application/json";
  req.body = R"({"name":"env"})";
  return c.call_raw({}, service, "Test.Echo", req);
}

}  // namespace

TEST_CASE("a client reads MICRO_REGISTRY and MICRO_REGISTRY_ADDRESS without apply_environment",
          "[integration][environment]") {
  auto server = start_test_server({"envsvc"});
  scoped_env env;
  env.set("MICRO_REGISTRY", "static").set("MICRO_REGISTRY_ADDRESS", server.entry());

  micro::client client{micro::options{}};  // the code says mdns (the default)
  CHECK(client.configured());
  CHECK(client.opts().registry == "static");
  CHECK(client.registry()->name() == "static");
  auto rsp = echo(client, "envsvc");
  REQUIRE(rsp.ok());
  CHECK(rsp->body.find("Hello env") != std::string::npos);
}

TEST_CASE("a client's configuration errors are coded errors on each call, not exceptions",
          "[integration][environment]") {
  scoped_env env;
  SECTION("an unknown registry") {
    env.set("MICRO_REGISTRY", "bogus");
    std::unique_ptr<micro::client> client;
    REQUIRE_NOTHROW(client = std::make_unique<micro::client>(micro::options{}));
    REQUIRE_FALSE(client->configured());
    CHECK(client->configured().error().code == 400);
    CHECK_THAT(client->configured().error().detail, Catch::Contains("bogus"));
    auto rsp = echo(*client, "anything");
    REQUIRE_FALSE(rsp.ok());
    CHECK(rsp.error().code == 400);
    CHECK_THAT(rsp.error().detail, Catch::Contains("bogus"));
  }
  SECTION("the static registry without an address") {
    env.set("MICRO_REGISTRY", "static").unset("MICRO_REGISTRY_ADDRESS");
    micro::client client{micro::options{}};
    REQUIRE_FALSE(client.configured());
    auto rsp = echo(client, "greeter");
    REQUIRE_FALSE(rsp.ok());
    CHECK(rsp.error().code == 400);
    CHECK_THAT(rsp.error().detail, Catch::Contains("static"));
  }
  SECTION("a value that does not parse names its variable") {
    env.set("MICRO_REGISTRY", "static").set("MICRO_REGISTRY_ADDRESS", "x=127.0.0.1:9");
    env.set("MICRO_CLIENT_REQUEST_TIMEOUT", "banana");
    micro::client client{micro::options{}};
    REQUIRE_FALSE(client.configured());
    CHECK(client.configured().error().code == 400);
    CHECK_THAT(client.configured().error().detail, Catch::Contains("MICRO_CLIENT_REQUEST_TIMEOUT"));
    auto rsp = echo(client, "x");
    REQUIRE_FALSE(rsp.ok());
    CHECK(rsp.error().code == 400);
  }
}

TEST_CASE("the environment is read once and can be turned off", "[integration][environment]") {
  scoped_env env;
  env.set("MICRO_REGISTRY", "bogus");
  SECTION("read_environment = false takes the options as code set them") {
    micro::client client{micro::options{}.with_registry("memory").with_environment(false)};
    CHECK(client.configured());
    CHECK(client.registry()->name() == "memory");
  }
  SECTION("options changed in code after apply_environment keep the code's value") {
    micro::options opts;
    REQUIRE(micro::apply_environment(opts));  // any name is taken; opening it is what fails
    REQUIRE(opts.registry == "bogus");
    opts.with_registry("memory");
    micro::client client{opts};
    CHECK(client.configured());
    CHECK(client.registry()->name() == "memory");
  }
}

TEST_CASE("an escaping micro::error says what it is", "[integration][environment]") {
  micro::error e = micro::errors::not_found("micro.client", "service x not found");
  const std::exception& as_exception = e;
  CHECK_THAT(as_exception.what(), Catch::Contains("\"code\":404") && Catch::Contains("service x not found"));
}
