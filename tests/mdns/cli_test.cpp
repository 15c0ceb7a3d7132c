// `micro services` and `micro describe` across processes through the real Avahi daemon: greeter
// servers register over mDNS, the `micro` tool (another process) finds them with their endpoints.
// One run (no SECTIONs, which would restart the servers). The service name carries the pid so parallel runs (and a running demo) do not see each other.
#include <catch2/catch.hpp>

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "process.hpp"
#include "registry/json.hpp"

namespace {

// What every service puts in its node metadata as "host".
std::string this_host() {
  char buf[256] = {};
  ::gethostname(buf, sizeof(buf) - 1);
  return buf;
}

}  // namespace

using namespace micro::test;
using namespace std::chrono_literals;
using json = nlohmann::json;

namespace {

const std::map<std::string, std::string> mdns_env{{"MICRO_REGISTRY", "mdns"}};

bool have_binaries() {
  for (auto name : {"micro", "greeter-server"})
    if (::access(sibling_binary(name).c_str(), X_OK) != 0)
      return false;
  return true;
}

struct cli_run {
  exit_status status;
  std::string out;
  std::string err;
};

cli_run run_cli(std::vector<std::string> args) {
  process cli{sibling_binary("micro"), std::move(args), mdns_env};
  auto status = cli.wait(30s);
  if (!status)
    FAIL("micro did not finish within 30 s; its output:\n" << cli.transcript());
  cli_run run;
  run.status = *status;
  for (auto [s, text] : {std::pair{stream::out, &run.out}, std::pair{stream::err, &run.err}})
    while (auto line = cli.read_line(s, 5s))
      *text += *line + "\n";
  return run;
}

// Runs the CLI until `done` holds for its result (true) or `bound` has passed (false); `last` is
// the final run either way, for the failure message.
bool poll_cli(const std::vector<std::string>& args, const std::function<bool(const cli_run&)>& done,
              cli_run& last, std::chrono::seconds bound = 20s) {
  const auto deadline = std::chrono::steady_clock::now() + bound;
  do {
    last = run_cli(args);
    if (done(last))
      return true;
  } while (std::chrono::steady_clock::now() < deadline);
  return false;
}

struct greeter {
  std::unique_ptr<process> proc;
  std::string node_id;
  std::string address;
};

// Starts greeter-server as `name` on 127.0.0.1:0 with the mdns registry; returns once it logs
// "service NAME (NODE_ID) listening on ADDR[, ...]", i.e. it serves and has registered.
greeter start_greeter(const std::string& name, const std::vector<std::string>& flags = {}) {
  auto env = mdns_env;
  env["MICRO_SERVER_ADDRESS"] = "127.0.0.1:0";
  std::vector<std::string> args{"--server_name", name};
  args.insert(args.end(), flags.begin(), flags.end());
  greeter g;
  g.proc = std::make_unique<process>(sibling_binary("greeter-server"), args, env);
  auto line = g.proc->wait_for_line(stream::err, "listening on ", 30s);
  if (!line)
    FAIL("greeter-server did not start; its output:\n" << g.proc->transcript());
  auto open = line->find('('), close = line->find(')');
  REQUIRE(open != std::string::npos);
  REQUIRE(close != std::string::npos);
  g.node_id = line->substr(open + 1, close - open - 1);
  auto at = line->find("listening on ") + std::string{"listening on "}.size();
  g.address = line->substr(at, line->find_first_of(", ", at) - at);
  return g;
}

// The JSON of `micro describe NAME --output json`, or null if it failed or does not parse.
json describe_json(const cli_run& run) {
  if (!run.status.exited || run.status.code != 0)
    return nullptr;
  return json::parse(run.out, nullptr, false);
}

using node_map = std::map<std::string, std::string>;  // node id -> address

// version -> its nodes, from `micro describe --output json`; empty if `doc` is not that shape.
std::map<std::string, node_map> nodes_by_version(const json& doc) {
  std::map<std::string, node_map> out;
  if (!doc.is_array())
    return out;
  try {
    for (auto& svc : doc.get<std::vector<micro::registry::service>>())
      for (auto& n : svc.nodes)
        out[svc.version][n.id] = n.address;
  } catch (const json::exception&) {
    out.clear();
  }
  return out;
}

std::size_t node_count(const json& doc) {
  std::size_t n = 0;
  for (auto& [version, nodes] : nodes_by_version(doc))
    n += nodes.size();
  return n;
}

}  // namespace

TEST_CASE("mdns: micro services and micro describe see greeter servers in other processes",
          "[mdns][cli]") {
  if (!have_binaries()) {
    WARN("build/bin/micro or greeter-server is not built: skipping");
    return;
  }
  const auto name = "greeter-cli-" + std::to_string(::getpid());
  // Two nodes of version "latest", one of version "2.0.0".
  auto g1 = start_greeter(name);
  auto g2 = start_greeter(name);
  auto g3 = start_greeter(name, {"--server_version", "2.0.0"});
  INFO("nodes " << g1.node_id << " " << g1.address << ", " << g2.node_id << " " << g2.address << ", "
                << g3.node_id << " " << g3.address << " (2.0.0)");

  // `micro services`: the name appears once, although three nodes and two versions carry it.
  cli_run run;
  bool listed = poll_cli({"services"}, [&](const cli_run& r) {
    return r.status.code == 0 && r.out.find(name + "\n") != std::string::npos;
  }, run);
  INFO("micro services: " << run.status.describe() << "\nstdout:\n" << run.out << "stderr:\n" << run.err);
  REQUIRE(listed);
  auto first = run.out.find(name + "\n");
  CHECK(run.out.find(name + "\n", first + 1) == std::string::npos);
  CHECK((first == 0 || run.out[first - 1] == '\n'));  // a whole line, not a suffix

  // `micro describe NAME --output json` once every node is seen.
  const std::vector<std::string> describe{"describe", name, "--output", "json"};
  bool all = poll_cli(describe, [](const cli_run& r) { return node_count(describe_json(r)) == 3; }, run);
  INFO("micro describe: " << run.status.describe() << "\nstdout:\n" << run.out << "stderr:\n" << run.err);
  REQUIRE(all);
  auto doc = describe_json(run);
  // One object per version, sorted by version.
  REQUIRE(doc.size() == 2);
  CHECK(doc[0]["name"] == name);
  CHECK(doc[0]["version"] == "2.0.0");
  CHECK(doc[1]["name"] == name);
  CHECK(doc[1]["version"] == "latest");
  CHECK(nodes_by_version(doc) == std::map<std::string, node_map>{
                                     {"2.0.0", {{g3.node_id, g3.address}}},
                                     {"latest", {{g1.node_id, g1.address}, {g2.node_id, g2.address}}}});
  // The model's own JSON form: it reads back into registry::service.
  for (auto& svc : doc.get<std::vector<micro::registry::service>>()) {
    INFO("version " << svc.version);
    const micro::registry::endpoint* hello = nullptr;
    for (auto& e : svc.endpoints)
      if (e.name == "Greeter.Hello")
        hello = &e;
    REQUIRE(hello != nullptr);
    CHECK(hello->request == "greeter.Request");
    CHECK(hello->response == "greeter.Response");
  }

  {  // --output=json prints the same document
    auto eq = run_cli({"describe", name, "--output=json"});
    INFO("stdout:\n" << eq.out << "stderr:\n" << eq.err);
    CHECK(describe_json(eq) == doc);
  }
  {  // text output lists both versions, every node and the endpoint with its types
    auto text = run_cli({"describe", name});
    INFO("stdout:\n" << text.out << "stderr:\n" << text.err);
    CHECK(text.status.code == 0);
    CHECK(text.out.rfind("service " + name + "\n", 0) == 0);
    auto v2 = text.out.find("version 2.0.0\n"), latest = text.out.find("version latest\n");
    REQUIRE(v2 != std::string::npos);
    REQUIRE(latest != std::string::npos);
    CHECK(v2 < latest);
    CHECK(text.out.find("nodes (1)", v2) < latest);
    CHECK(text.out.find("nodes (2)", latest) != std::string::npos);
    CHECK(text.out.find(g3.node_id, v2) < latest);
    for (auto* g : {&g1, &g2}) {
      CHECK(text.out.find(g->node_id, latest) != std::string::npos);
      CHECK(text.out.find(g->address, latest) != std::string::npos);
    }
    CHECK_THAT(text.out, Catch::Contains("Greeter.Hello  greeter.Request -> greeter.Response  idempotent=true\n"));
    // Each node line shows where it runs: its host, in a column of its own.
    CHECK_THAT(text.out, Catch::Contains(g1.node_id + "  " + this_host() + "  " + g1.address));
  }
  {  // micro services --nodes: one row per node with version, id, host and address
    auto rows = run_cli({"services", "--nodes"});
    INFO("stdout:\n" << rows.out << "stderr:\n" << rows.err);
    CHECK(rows.status.code == 0);
    CHECK(rows.out.rfind("SERVICE ", 0) == 0);
    for (auto* g : {&g1, &g2, &g3}) {
      auto at = rows.out.find(g->node_id);
      REQUIRE(at != std::string::npos);
      auto line = rows.out.substr(rows.out.rfind('\n', at) + 1);
      line = line.substr(0, line.find('\n'));
      CHECK(line.rfind(name + " ", 0) == 0);
      CHECK_THAT(line, Catch::Contains(g == &g3 ? " 2.0.0 " : " latest "));
      CHECK_THAT(line, Catch::Contains(" " + this_host() + " "));
      CHECK_THAT(line, Catch::EndsWith(" " + g->address));
    }
  }
  {  // an unknown service is a 404 that names the registry
    auto missing = run_cli({"describe", name + "-nosuch"});
    INFO("stdout:\n" << missing.out << "stderr:\n" << missing.err);
    CHECK(missing.status.exited);
    CHECK(missing.status.code != 0);
    CHECK(missing.out.empty());
    // go-micro's error JSON: {"id","code","detail","status"}
    auto err = json::parse(missing.err.substr(0, missing.err.find('\n')), nullptr, false);
    REQUIRE(err.is_object());
    CHECK(err.value("code", 0) == 404);
    CHECK_THAT(err.value("detail", ""), Catch::Contains("registry mdns"));
    CHECK_THAT(err.value("detail", ""), Catch::Contains(name + "-nosuch"));
  }
  {  // a node stopped with SIGTERM leaves the description; the others stay
    REQUIRE(g1.proc->signal(SIGTERM));
    auto ended = g1.proc->wait(15s);
    REQUIRE(ended);
    CHECK(ended->exited);
    CHECK(ended->code == 0);
    bool two = poll_cli(describe, [](const cli_run& r) { return node_count(describe_json(r)) == 2; }, run);
    INFO("micro describe: " << run.status.describe() << "\nstdout:\n" << run.out << "stderr:\n" << run.err);
    REQUIRE(two);
    CHECK(nodes_by_version(describe_json(run)) ==
          std::map<std::string, node_map>{{"2.0.0", {{g3.node_id, g3.address}}},
                                          {"latest", {{g2.node_id, g2.address}}}});
  }
}
