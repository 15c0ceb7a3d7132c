// micro-test-first-lookup SERVICE: what a fresh process's first lookup of SERVICE sees over mDNS,
// the way a short-lived client sees it (a new client, one resolve, exit). Prints
// "nodes N addr1 addr2 ..." and exits 0, or "error CODE DETAIL" and exits 1.
#include <cstdio>
#include <string>

#include "micro/client.hpp"
#include "micro/options.hpp"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: micro-test-first-lookup SERVICE\n");
    return 2;
  }
  micro::options opts;
  if (auto st = micro::apply_environment(opts); !st) {
    std::printf("error %d %s\n", st.error().code, st.error().detail.c_str());
    return 1;
  }
  opts.with_registry("mdns");
  micro::client client{opts};
  auto found = client.resolve(argv[1]);
  if (!found) {
    std::printf("error %d %s\n", found.error().code, found.error().detail.c_str());
    return 1;
  }
  std::string line = "nodes " + std::to_string(found->size());
  for (auto& address : *found)
    line += " " + address;
  std::printf("%s\n", line.c_str());
  return 0;
}
