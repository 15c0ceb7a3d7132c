// The static registry's address (MICRO_REGISTRY_ADDRESS, --registry_address): operator input,
// but also what a deployment tool templates from other data. Property: parsing never throws or
// crashes, and what parses has at least one node per service, each with a port in range.
#include <cstdint>
#include <string>

#include "fuzz/check.hpp"
#include "registry/static.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace micro::registry;
  std::string address{reinterpret_cast<const char*>(data), size};
  auto parsed = parse_static_address(address);
  if (!parsed.ok()) {
    FUZZ_CHECK(parsed.st.code == errc::invalid_argument && !parsed.st.message.empty());
    return 0;
  }
  FUZZ_CHECK(!parsed.value.empty());
  for (const auto& svc : parsed.value) {
    FUZZ_CHECK(!svc.name.empty() && !svc.nodes.empty());
    for (const auto& n : svc.nodes) {
      auto colon = n.address.rfind(':');
      FUZZ_CHECK(colon != std::string::npos);
      auto port = std::stol(n.address.substr(colon + 1));
      FUZZ_CHECK(port >= 1 && port <= 65535);
    }
  }
  return 0;
}
