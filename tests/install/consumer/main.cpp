// Uses an installed micro: errors, options, and one in-process call through a real service
// (memory registry, loopback). Only the public, CAF-free headers.
#include <cstdio>
#include <string>

#include <nlohmann/json.hpp>

#include "codecs/codec.hpp"
#include "micro/micro.hpp"

namespace {

int failures = 0;

void expect(bool ok, const std::string& what) {
  std::printf("%s: %s\n", ok ? "ok" : "FAILED", what.c_str());
  if (!ok)
    ++failures;
}

}  // namespace

int main(int argc, char** argv) {
  // Errors as go-micro writes them.
  auto err = micro::errors::not_found("consumer", "no such thing");
  auto back = micro::error::from_json(err.to_json());
  expect(back && *back == err && back->status == "Not Found", "error JSON round trip");

  // Options from flags.
  micro::service svc{micro::options{}.with_name("consumer-echo").with_registry("memory")};
  svc.init(argc, argv);  // the test passes --server_address 127.0.0.1:0
  expect(svc.opts().server_address == "127.0.0.1:0", "flags applied: " + svc.opts().server_address);
  micro::options bad;
  auto st = micro::set_option(bad, "server_address", "127.0.0.1:70000");
  expect(!st && st.error().code == 400, "bad port rejected");

  // Codecs headers resolve as "codecs/...".
  std::string body;
  expect(micro::codecs::encode("application/json", nlohmann::json{{"k", 1}}, body).ok() && body == R"({"k":1})",
         "json codec");

  // A service and a call, in process.
  svc.server().handle("Echo.Call", [](const micro::context&, const nlohmann::json& req, nlohmann::json& rsp) {
    rsp["echo"] = req.at("text");
  });
  auto started = svc.start();
  expect(started.ok(), "service started at " + svc.address() + (started ? "" : " " + started.error().to_json()));
  if (started) {
    auto rsp = svc.client().call<nlohmann::json>("consumer-echo", "Echo.Call", nlohmann::json{{"text", "hello"}});
    expect(rsp.ok() && rsp->at("echo") == "hello",
           "call answered " + (rsp ? rsp->dump() : rsp.error().to_json()));
    auto stopped = svc.stop();
    expect(stopped.ok(), "service stopped");
  }
  if (failures == 0)
    std::printf("consumer: all checks passed\n");
  return failures == 0 ? 0 : 1;
}
