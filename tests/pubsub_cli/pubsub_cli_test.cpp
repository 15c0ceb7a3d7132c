// `micro publish` and `micro subscribe` as real processes that find each other over mDNS (a real
// avahi-daemon; `make test` starts one on loopback). Every test uses a topic of its own, so
// tests running side by side (or another engineer's demo on the same daemon) never see each
// other's publications.
#include <signal.h>
#include <unistd.h>

#include <set>

#include <catch2/catch.hpp>

#include "harness.hpp"

using namespace micro::test;

namespace {

std::string unique_topic(const std::string& base) {
  static int n = 0;
  return "pubsub-cli-test." + base + "." + std::to_string(::getpid()) + "." + std::to_string(++n);
}

std::map<std::string, std::string> mdns_env() {
  auto env = heartbeat_env();
  env["MICRO_REGISTRY"] = "mdns";
  return env;
}

struct cli_run {
  exit_status status;
  std::string out;  // all of stdout
  std::string err;  // all of stderr
};

// Runs `micro ARGS...` to the end (bounded) over mDNS; all of its output.
cli_run run_cli(std::vector<std::string> args) {
  process cli{sibling_binary("micro"), std::move(args), mdns_env()};
  auto status = cli.wait(60s);
  if (!status)
    FAIL("micro did not finish within 60 s; its output:\n" << cli.transcript());
  cli_run run;
  run.status = *status;
  for (auto [s, text] : {std::pair{stream::out, &run.out}, std::pair{stream::err, &run.err}})
    while (auto line = cli.read_line(s, 5s))
      *text += *line + "\n";
  return run;
}

// `micro publish TOPIC BODY [extra...]`, which must succeed.
void publish(const std::string& topic, const std::string& body, std::vector<std::string> extra = {}) {
  std::vector<std::string> args{"publish", topic, body};
  args.insert(args.end(), extra.begin(), extra.end());
  auto run = run_cli(args);
  INFO("micro publish " << topic << " " << body << "\nstdout: " << run.out << "stderr: " << run.err);
  REQUIRE(run.status.exited);
  REQUIRE(run.status.code == 0);
  CHECK(run.out.empty());
}

// `micro subscribe TOPIC [extra...]`, once it said it is subscribed, registered and visible.
std::unique_ptr<process> start_subscriber(const std::string& topic, std::vector<std::string> extra = {}) {
  std::vector<std::string> args{"subscribe", topic};
  args.insert(args.end(), extra.begin(), extra.end());
  auto p = std::make_unique<process>(sibling_binary("micro"), args, mdns_env());
  if (!p->wait_for_line(stream::err, "micro subscribe: subscribed to " + topic, 30s))
    FAIL("micro subscribe " << topic << " did not say it is subscribed; its output:\n" << p->transcript());
  return p;
}

// Stops a `micro subscribe` with `sig`; it must exit 0.
void stop_subscriber(process& p, int sig) {
  REQUIRE(p.signal(sig));
  auto ended = p.wait(20s);
  INFO(p.transcript());
  REQUIRE(ended);
  CHECK(ended->exited);
  CHECK(ended->code == 0);
}

// The next JSON line a subscriber prints (bounded); fails the test if none comes.
json next_publication(process& p, milliseconds timeout = 15s) {
  auto line = p.read_line(stream::out, timeout);
  if (!line)
    FAIL("no publication printed within " << timeout.count() << " ms; its output:\n" << p.transcript());
  auto doc = json::parse(*line, nullptr, false);
  if (doc.is_discarded())
    FAIL("not a JSON line: " << *line);
  return doc;
}

// Runs `micro ARGS...` expecting a go-micro JSON error with `code` on stderr, nothing on stdout
// and a non-zero exit; returns the error.
micro::error cli_error(std::vector<std::string> args, int code) {
  auto run = run_cli(std::move(args));
  INFO("stdout: " << run.out << "stderr: " << run.err);
  CHECK(run.status.exited);
  CHECK(run.status.code != 0);
  CHECK(run.out.empty());
  auto err = micro::error::from_json(run.err.substr(0, run.err.find('\n')));
  REQUIRE(err.has_value());
  CHECK(err->code == code);
  return *err;
}

bool have_cli() { return ::access(sibling_binary("micro").c_str(), X_OK) == 0; }

}  // namespace

TEST_CASE("micro subscribe prints each micro publish as one JSON line", "[pubsub_cli][mdns]") {
  if (!have_cli()) {
    WARN("build/bin/micro is not built: skipping");
    return;
  }
  const auto topic = unique_topic("lines");
  auto plain = start_subscriber(topic);
  auto with_metadata = start_subscriber(topic, {"--metadata"});

  publish(topic, R"({"id":"cli-1","message":"from the CLI"})", {"-m", "trace-id=abc", "--metadata", "user=ann"});
  publish(topic, R"([1, 2, 3])");
  publish(topic, R"("just a string")");

  SECTION("the body as JSON, one line per publication, in order") {
    CHECK(next_publication(*plain) == json{{"id", "cli-1"}, {"message", "from the CLI"}});
    CHECK(next_publication(*plain) == json{1, 2, 3});
    CHECK(next_publication(*plain) == json("just a string"));
  }
  SECTION("--metadata: the -m values with the body") {
    auto first = next_publication(*with_metadata);
    INFO(first.dump());
    REQUIRE(first.contains("metadata"));
    CHECK(first["metadata"].value("trace-id", "") == "abc");
    CHECK(first["metadata"].value("user", "") == "ann");
    CHECK(first["body"] == json{{"id", "cli-1"}, {"message", "from the CLI"}});
    auto second = next_publication(*with_metadata);
    CHECK(second["metadata"] == json::object());
    CHECK(second["body"] == json{1, 2, 3});
  }
  stop_subscriber(*plain, SIGINT);
  stop_subscriber(*with_metadata, SIGTERM);
}

TEST_CASE("micro publish with no subscriber succeeds", "[pubsub_cli][mdns]") {
  if (!have_cli()) {
    WARN("build/bin/micro is not built: skipping");
    return;
  }
  auto run = run_cli({"publish", unique_topic("nobody"), R"({"id":"x"})"});
  INFO("stdout: " << run.out << "stderr: " << run.err);
  CHECK(run.status.exited);
  CHECK(run.status.code == 0);
  CHECK(run.out.empty());
  CHECK(run.err.empty());
}

TEST_CASE("micro publish and micro subscribe refuse bad input with 400", "[pubsub_cli][mdns]") {
  if (!have_cli()) {
    WARN("build/bin/micro is not built: skipping");
    return;
  }
  const auto topic = unique_topic("bad");
  SECTION("missing arguments: the usage") {
    CHECK_THAT(cli_error({"publish"}, 400).detail, Catch::Contains("usage: micro publish TOPIC JSON"));
    CHECK_THAT(cli_error({"publish", topic}, 400).detail, Catch::Contains("usage: micro publish TOPIC JSON"));
    CHECK_THAT(cli_error({"subscribe"}, 400).detail, Catch::Contains("usage: micro subscribe TOPIC"));
  }
  SECTION("an empty topic") {
    CHECK_THAT(cli_error({"publish", "", "{}"}, 400).detail, Catch::Contains("empty topic"));
    CHECK_THAT(cli_error({"subscribe", ""}, 400).detail, Catch::Contains("empty topic"));
  }
  SECTION("a body that is not JSON names the topic and where parsing failed") {
    auto err = cli_error({"publish", topic, "{not json"}, 400);
    CHECK_THAT(err.detail, Catch::Contains("is not valid JSON"));
    CHECK_THAT(err.detail, Catch::Contains(topic));
    CHECK_THAT(err.detail, Catch::Contains("parse error at line 1"));
  }
  SECTION("metadata that is not key=value") {
    CHECK_THAT(cli_error({"publish", topic, "{}", "-m", "novalue"}, 400).detail, Catch::Contains("key=value"));
    CHECK_THAT(cli_error({"publish", topic, "{}", "-m"}, 400).detail, Catch::Contains("key=value"));
  }
  SECTION("unknown flags and a queue group without a name") {
    CHECK_THAT(cli_error({"publish", topic, "{}", "--nope"}, 400).detail, Catch::Contains("--nope"));
    CHECK_THAT(cli_error({"subscribe", topic, "--nope"}, 400).detail, Catch::Contains("--nope"));
    cli_error({"subscribe", topic, "--queue"}, 400);
    cli_error({"subscribe", topic, "--queue="}, 400);
  }
}

TEST_CASE("two micro subscribe --queue members get 10 publications once in total", "[pubsub_cli][mdns]") {
  if (!have_cli()) {
    WARN("build/bin/micro is not built: skipping");
    return;
  }
  const auto topic = unique_topic("queue");
  std::unique_ptr<process> members[] = {start_subscriber(topic, {"--queue", "g"}),
                                        start_subscriber(topic, {"--queue=g"})};
  for (int i = 1; i <= 10; ++i)
    publish(topic, json{{"n", i}}.dump());

  // Each publish returned once a member accepted it: collect lines until 10 arrived (bounded).
  std::multiset<int> seen;
  std::size_t per_member[2] = {0, 0};
  auto until = steady_clock::now() + 20s;
  while (seen.size() < 10 && steady_clock::now() < until)
    for (std::size_t m = 0; m < 2; ++m)
      if (auto line = members[m]->read_line(stream::out, 50ms)) {
        auto doc = json::parse(*line, nullptr, false);
        INFO("member " << m << " printed: " << *line);
        REQUIRE(doc.is_object());
        seen.insert(doc.value("n", 0));
        ++per_member[m];
      }
  // Nothing more comes: a member that got a publication twice would print it by now.
  for (auto& m : members)
    for (auto line = m->read_line(stream::out, 300ms); line; line = m->read_line(stream::out, 300ms))
      seen.insert(json::parse(*line, nullptr, false).value("n", 0));
  INFO("member 0 got " << per_member[0] << ", member 1 got " << per_member[1]);
  CHECK(seen.size() == 10);
  for (int i = 1; i <= 10; ++i)
    CHECK(seen.count(i) == 1);
  stop_subscriber(*members[0], SIGTERM);
  stop_subscriber(*members[1], SIGTERM);
}
