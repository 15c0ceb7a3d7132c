// `micro stream SERVICE ENDPOINT` against micro-stream-test-server (see tests/stream): what it
// prints, how it ends, and its errors.
#include <catch2/catch.hpp>

#include "stream_cli.hpp"

using namespace micro::test;

namespace {

running_server start_stream_server() {
  server_config cfg{"stream-test"};
  cfg.binary = "micro-stream-test-server";
  return start_test_server(cfg);
}

// The server's stream-end event of `endpoint` (see stream_test_server.cpp); null if none in time.
json stream_end(running_server& srv, const std::string& endpoint) {
  auto line = srv.proc->wait_for_line(stream::out, "\"endpoint\":\"" + endpoint + "\"", 20s);
  return line ? json::parse(*line) : json{};
}

}  // namespace

TEST_CASE("micro stream echoes the lines of stdin in order", "[stream_cli]") {
  auto srv = start_stream_server();
  stream_cli cli{srv.entry(), {"stream-test", "Stream.Echo"}};
  const std::vector<std::string> lines{R"({"n":1})", R"({ "n" : 2, "s": "two" })", "[3, 3]", "4", "", R"("five")"};
  for (auto& line : lines)
    cli.write_line(line);
  cli.close_stdin();
  auto run = cli.finish();
  INFO(cli.proc().transcript());
  CHECK(run.status.exited);
  CHECK(run.status.code == 0);
  CHECK(run.err.empty());
  std::vector<std::string> expected;  // compact JSON, the blank line skipped
  for (auto& line : lines)
    if (!line.empty())
      expected.push_back(json::parse(line).dump());
  CHECK(run.out == expected);
  auto end = stream_end(srv, "Stream.Echo");
  CHECK(end.value("code", -1) == 0);
  CHECK(end.value("received", 0) == 5);
}

TEST_CASE("micro stream prints a server stream while stdin is still open", "[stream_cli]") {
  auto srv = start_stream_server();
  std::vector<std::string> flags;
  SECTION("default window") {}
  SECTION("--window 1") { flags = {"--window", "1"}; }
  SECTION("--window=2 and a --timeout the stream ends within") { flags = {"--window=2", "--timeout", "20s"}; }
  std::vector<std::string> args{"stream-test", "Stream.Count"};
  args.insert(args.end(), flags.begin(), flags.end());
  stream_cli cli{srv.entry(), args};
  cli.write_line(R"({"count":5,"size":3})");
  for (int i = 0; i < 5; ++i) {
    auto line = cli.proc().read_line(stream::out, 20s);
    INFO("message " << i << "; " << cli.proc().transcript());
    REQUIRE(line.has_value());
    CHECK(json::parse(*line) == json{{"i", i}, {"pad", "ppp"}});
  }
  // The server ended the stream: micro exits without waiting for the end of stdin.
  auto run = cli.finish();
  INFO(cli.proc().transcript());
  CHECK(run.status.exited);
  CHECK(run.status.code == 0);
  CHECK(run.out.empty());
  CHECK(stream_end(srv, "Stream.Count").value("code", -1) == 0);
}

TEST_CASE("micro stream sends -m metadata with the open", "[stream_cli]") {
  auto srv = start_stream_server();
  // With raw=1 Stream.Count sends bodies that are not JSON: printed as JSON strings.
  stream_cli cli{srv.entry(), {"stream-test", "Stream.Count", "-m", "raw=1"}};
  cli.write_line(R"({"count":3,"size":8})");
  auto run = cli.finish();
  INFO(cli.proc().transcript());
  CHECK(run.status.code == 0);
  REQUIRE(run.out.size() == 3);
  for (auto& line : run.out)
    CHECK(json::parse(line).is_string());
}

TEST_CASE("micro stream to an unknown endpoint or service exits non-zero with 404", "[stream_cli]") {
  auto srv = start_stream_server();
  auto expect = [&](std::vector<std::string> args, int code) {
    stream_cli cli{srv.entry(), args};
    cli.close_stdin();
    auto run = cli.finish();
    INFO(cli.proc().transcript());
    CHECK(run.status.exited);
    CHECK(run.status.code != 0);
    CHECK(run.out.empty());
    CHECK(run.error().code == code);
    return run.error();
  };
  CHECK_THAT(expect({"stream-test", "Stream.Nope"}, 404).detail, Catch::Contains("Stream.Nope"));
  expect({"nosuch", "Stream.Echo"}, 404);
  expect({"stream-test", "Test.Ping"}, 400);  // a unary endpoint: call it instead
}

TEST_CASE("a line of stdin that is not JSON cancels the stream with 400 naming the line", "[stream_cli]") {
  auto srv = start_stream_server();
  stream_cli cli{srv.entry(), {"stream-test", "Stream.Echo"}};
  cli.write_line(R"({"n":1})");
  cli.write_line(R"({"n":2)");
  // stdin stays open: micro must end by itself.
  auto run = cli.finish();
  INFO(cli.proc().transcript());
  CHECK(run.status.exited);
  CHECK(run.status.code != 0);
  auto err = run.error();
  CHECK(err.code == 400);
  CHECK_THAT(err.detail, Catch::Contains("line 2"));
  CHECK(stream_end(srv, "Stream.Echo").value("code", -1) == 400);  // the server saw the cancel
}

TEST_CASE("micro stream ends with 408 once its --timeout passes", "[stream_cli]") {
  auto srv = start_stream_server();
  auto t0 = steady_clock::now();
  stream_cli cli{srv.entry(), {"stream-test", "Stream.Wait", "--timeout", "500ms"}};
  cli.write_line(R"({"waiting":true})");
  auto run = cli.finish();  // stdin stays open: only the deadline ends the stream
  auto elapsed = ms_since(t0);
  INFO(cli.proc().transcript() << "after " << elapsed << " ms");
  CHECK(run.status.exited);
  CHECK(run.status.code != 0);
  CHECK(run.error().code == 408);
  CHECK(elapsed >= 500);
  CHECK(elapsed < 10000);
  CHECK(stream_end(srv, "Stream.Wait").value("code", -1) == 408);
}

TEST_CASE("micro stream rejects bad arguments with 400", "[stream_cli]") {
  auto srv = start_stream_server();
  for (std::vector<std::string> args : {std::vector<std::string>{"stream-test"},
                                        {"stream-test", "Stream.Echo", "extra"},
                                        {"stream-test", "Stream.Echo", "--window", "0"},
                                        {"stream-test", "Stream.Echo", "--window"},
                                        {"stream-test", "Stream.Echo", "--timeout", "soon"},
                                        {"stream-test", "Stream.Echo", "-m", "novalue"},
                                        {"stream-test", "Stream.Echo", "--bogus"}}) {
    stream_cli cli{srv.entry(), args};
    cli.close_stdin();
    auto run = cli.finish();
    INFO(cli.proc().transcript());
    CHECK(run.status.code == 1);
    CHECK(run.error().code == 400);
  }
}
