// `micro call --idempotent`: a call from the command line whose node is SIGKILLed with the call
// in its handler is retried on the other node; without the flag it fails with 503, because the
// static registry says nothing about the endpoint.
#include <unistd.h>

#include <catch2/catch.hpp>

#include "resilience_helpers.hpp"

using namespace micro::test;

TEST_CASE("micro call --idempotent survives the death of the node its call was on", "[resilience][failover][cli]") {
  if (::access(sibling_binary("micro").c_str(), X_OK) != 0) {
    WARN("build/bin/micro is not built: skipped");
    return;
  }
  for (bool flag : {false, true}) {
    DYNAMIC_SECTION((flag ? "with" : "without") << " --idempotent") {
      // Both nodes take 1 s per call: the call is certainly in a handler when its node dies.
      auto c = start_cluster(unique_service("cli-idem"), 2,
                             [](int, server_config& cfg) { cfg.env["TEST_DELAY_MS"] = "1000"; });
      auto observer = cluster_client(c);  // reads Debug.Stats, which runs outside the handlers
      auto env = heartbeat_env();
      env["MICRO_REGISTRY"] = "static";
      env["MICRO_REGISTRY_ADDRESS"] = c.entries();
      std::vector<std::string> args{"call", c.name, "Test.Whoami", "{}"};
      if (flag)
        args.push_back("--idempotent");
      process cli{sibling_binary("micro"), args, env};

      running_server* victim = nullptr;
      auto until = steady_clock::now() + 10s;
      while (!victim && steady_clock::now() < until)
        for (auto& n : c.nodes)
          if (node_stat(*observer, n, "in_flight") >= 1)
            victim = &n;
      REQUIRE(victim);
      const std::string survivor = victim == &c.nodes[0] ? c.nodes[1].address : c.nodes[0].address;
      victim->proc->kill();

      auto status = cli.wait(30s);
      REQUIRE(status);
      std::string out, err;
      for (auto [s, text] : {std::pair{stream::out, &out}, std::pair{stream::err, &err}})
        while (auto line = cli.read_line(s, 5s))
          *text += *line + "\n";
      INFO("stdout: " << out << "stderr: " << err);
      if (flag) {
        CHECK(status->exited);
        CHECK(status->code == 0);
        CHECK(out.find(survivor) != std::string::npos);
      } else {
        CHECK(status->code == 1);
        CHECK(err.find("\"code\":503") != std::string::npos);
      }
    }
  }
}
