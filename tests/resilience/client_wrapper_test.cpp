// Client wrappers (client::wrap) across processes: order, metadata the server sees, and a
// short-circuit that makes no network call.
#include <mutex>

#include <catch2/catch.hpp>

#include "resilience_helpers.hpp"

using namespace micro::test;
using Catch::Matchers::Contains;

namespace {

// A wrapper that records "<name>-in" and "<name>-out" around the call, adds the metadata
// `x-<name>` = "1", and answers 403 itself when the call carries metadata `block-<name>`.
micro::call_wrapper recording(const std::string& name, std::vector<std::string>& trail, std::mutex& m) {
  return [name, &trail, &m](micro::call_func next) -> micro::call_func {
    return [name, &trail, &m, next = std::move(next)](const micro::context& parent, const std::string& service,
                                                      const std::string& endpoint, const micro::raw_message& req,
                                                      const micro::call_options& opts) -> micro::result<micro::raw_message> {
      {
        std::lock_guard<std::mutex> guard{m};
        trail.push_back(name + "-in");
      }
      if (opts.metadata.count("block-" + name))
        return micro::errors::forbidden("test.client-wrapper", "blocked by " + name + " for " + service + " " + endpoint);
      auto changed = opts;
      changed.with_metadata("x-" + name, "1");
      auto out = next(parent, service, endpoint, req, changed);
      {
        std::lock_guard<std::mutex> guard{m};
        trail.push_back(name + "-out");
      }
      return out;
    };
  };
}

micro::raw_message json_request(std::string body = "{}") {
  micro::raw_message m;
  m.content_type = m.accept = "application/json";
  m.body = std::move(body);
  return m;
}

}  // namespace

TEST_CASE("client wrappers run first-added outermost and add metadata the server sees and short-circuit",
          "[resilience][client-wrapper]") {
  auto srv = start_test_server();
  auto observer = make_client(srv);  // unwrapped; also makes the process's connection to srv
  auto wrapped = make_client(srv.entry());
  std::mutex m;
  std::vector<std::string> trail;
  wrapped->wrap(recording("first", trail, m));
  wrapped->wrap(recording("second", trail, m));
  auto take_trail = [&] {
    std::lock_guard<std::mutex> guard{m};
    auto out = trail;
    trail.clear();
    return out;
  };

  {  // Order, and the metadata both added, as the handler saw it (typed and byte-level calls).
    auto md = wrapped->call<json>("test", "Test.Metadata", json::object(), micro::call_options{}.with_metadata("trace", "t-1"));
    INFO((md ? md->dump() : md.error().to_json()));
    REQUIRE(md.ok());
    CHECK(take_trail() == std::vector<std::string>{"first-in", "second-in", "second-out", "first-out"});
    CHECK(md->value("x-first", "") == "1");
    CHECK(md->value("x-second", "") == "1");
    CHECK(md->value("trace", "") == "t-1");
    auto raw = wrapped->call_raw({}, "test", "Test.Metadata", json_request());
    REQUIRE(raw.ok());
    CHECK(take_trail() == std::vector<std::string>{"first-in", "second-in", "second-out", "first-out"});
    CHECK(json::parse(raw->body).value("x-second", "") == "1");
  }
  {  // The unwrapped client's calls pass no wrapper.
    auto md = observer->call<json>("test", "Test.Metadata", json::object());
    REQUIRE(md.ok());
    CHECK_FALSE(md->contains("x-first"));
    CHECK(take_trail().empty());
  }
  {  // The inner wrapper short-circuits: no handler runs, the outer one sees its error.
    auto before = handler_runs(*observer, "test");
    REQUIRE(before >= 0);
    auto blocked = wrapped->call<json>("test", "Test.Echo", json{{"name", "x"}},
                                       micro::call_options{}.with_metadata("block-second", "1"));
    REQUIRE_FALSE(blocked.ok());
    CHECK(blocked.error().code == 403);
    CHECK(blocked.error().id == "test.client-wrapper");
    CHECK_THAT(blocked.error().detail, Contains("blocked by second for test Test.Echo"));
    CHECK(take_trail() == std::vector<std::string>{"first-in", "second-in", "first-out"});
    CHECK(handler_runs(*observer, "test") == before);
    auto stats = observer->call<json>("test", "Debug.Stats", json::object());
    REQUIRE(stats.ok());
    auto requests = stats->value("requests", -1LL);
    // Not even a lookup: a service no registry knows gets the wrapper's 403, not a 404 or 503.
    auto nowhere = wrapped->call<json>("nowhere", "Nowhere.Call", json::object(),
                                       micro::call_options{}.with_metadata("block-first", "1"));
    REQUIRE_FALSE(nowhere.ok());
    CHECK(nowhere.error().code == 403);
    CHECK(take_trail() == std::vector<std::string>{"first-in"});
    auto stats_after = observer->call<json>("test", "Debug.Stats", json::object());
    REQUIRE(stats_after.ok());
    // The server saw only the observer's Debug.Stats call in between.
    CHECK(stats_after->value("requests", -1LL) == requests + 1);
  }
}
