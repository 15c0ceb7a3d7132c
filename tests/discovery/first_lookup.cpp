// What a fresh process sees over mDNS the way a short-lived client does (a new client, one
// request, exit):
//   micro-test-first-lookup SERVICE         its first lookup: prints "nodes N addr1 addr2 ..."
//   micro-test-first-lookup SERVICE --call  its first call (Test.Whoami, random selector, the
//                                           lookup inside it): prints "answered BODY"
// Exits 0, or prints "error JSON" and exits 1.
#include <cstdio>
#include <string>

#include "micro/client.hpp"
#include "micro/options.hpp"

namespace {

int fail(const micro::error& e) {
  std::printf("error %s\n", e.to_json().c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  const bool call = argc == 3 && std::string{argv[2]} == "--call";
  if (argc != 2 && !call) {
    std::fprintf(stderr, "usage: micro-test-first-lookup SERVICE [--call]\n");
    return 2;
  }
  micro::options opts;
  if (auto st = micro::apply_environment(opts); !st)
    return fail(st.error());
  opts.with_registry("mdns");
  micro::client client{opts};
  if (call) {
    micro::raw_message req;
    req.content_type = req.accept = "application/json";
    req.body = "{}";
    auto rsp = client.call_raw(micro::context{}, argv[1], "Test.Whoami", req);
    if (!rsp)
      return fail(rsp.error());
    std::printf("answered %s\n", rsp->body.c_str());
    return 0;
  }
  auto found = client.resolve(argv[1]);
  if (!found)
    return fail(found.error());
  std::string line = "nodes " + std::to_string(found->size());
  for (auto& address : *found)
    line += " " + address;
  std::printf("%s\n", line.c_str());
  return 0;
}
