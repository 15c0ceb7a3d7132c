// The etcd registry's values: JSON that anyone able to write under /micro/registry/ (go-micro's
// tools, another node) puts there, read by every node (registry/etcd_nodes). Property: a value
// that decodes encodes to one that decodes to the same service.
#include <cstdint>
#include <string>

#include "fuzz/check.hpp"
#include "registry/limits.hpp"
#include "registry/etcd_nodes.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace micro::registry;
  std::string value{reinterpret_cast<const char*>(data), size};
  auto svc = decode_etcd_value(value);
  if (!svc)
    return 0;
  FUZZ_CHECK(svc->nodes.size() == 1);
  auto limits = check_entry_limits("etcd", *svc);
  FUZZ_CHECK(limits.ok() || limits.code == errc::too_large);
  auto again = encode_etcd_value(*svc, svc->nodes.front());
  auto back = decode_etcd_value(again);
  FUZZ_CHECK(back.has_value() && *back == *svc);
  return 0;
}
