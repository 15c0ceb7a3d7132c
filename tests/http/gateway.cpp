#include "gateway.hpp"

#include <catch2/catch.hpp>

namespace micro::test {

namespace {

running_gateway start(std::map<std::string, std::string> env, std::vector<std::string> args) {
  std::vector<std::string> argv{"api", "--address", "127.0.0.1:0"};
  argv.insert(argv.end(), args.begin(), args.end());
  running_gateway g;
  g.proc = std::make_unique<process>(sibling_binary("micro"), argv, env);
  auto line = g.proc->wait_for_line(stream::err, "micro api: listening on ", 30s);
  if (!line)
    FAIL("micro api did not start; its output:\n" << g.proc->transcript());
  auto at = line->find("http://");
  g.url = line->substr(at, line->find(' ', at) - at);
  return g;
}

}  // namespace

running_gateway start_gateway(const std::string& registry_address, std::vector<std::string> args) {
  auto env = heartbeat_env();
  env["MICRO_REGISTRY"] = "static";
  env["MICRO_REGISTRY_ADDRESS"] = registry_address;
  return start(env, std::move(args));
}

running_gateway start_mdns_gateway(std::vector<std::string> args) {
  auto env = heartbeat_env();
  env["MICRO_REGISTRY"] = "mdns";
  return start(env, std::move(args));
}

}  // namespace micro::test
