// The mDNS registry's TXT records: any host on the LAN can announce a `_micro._tcp` service,
// and every node turns its TXT strings into a service (registry/mdns_txt). The input is the
// record as DNS carries it: strings of one length byte each. Property: a service that decodes
// and encodes again decodes to the same service.
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz/check.hpp"
#include "registry/limits.hpp"
#include "registry/mdns_txt.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace micro::registry;
  std::vector<std::string> strings;
  for (std::size_t pos = 0; pos < size;) {
    std::size_t len = data[pos++];
    len = std::min(len, size - pos);
    strings.emplace_back(reinterpret_cast<const char*>(data) + pos, len);
    pos += len;
  }
  auto svc = mdns::decode_txt(strings);
  if (!svc)
    return 0;
  FUZZ_CHECK(svc->nodes.size() == 1);
  auto limits = check_entry_limits("mdns", *svc);
  FUZZ_CHECK(limits.ok() || limits.code == errc::too_large);
  auto again = mdns::encode_txt(*svc, svc->nodes.front());
  if (!again.ok())
    return 0;  // keys the encoder refuses (too long, '='): decoded, but not ours to re-announce
  for (const auto& s : again.value)
    FUZZ_CHECK(s.size() <= mdns::max_txt_string);
  auto back = mdns::decode_txt(again.value);
  FUZZ_CHECK(back.has_value());
  FUZZ_CHECK(back->name == svc->name && back->version == svc->version && back->meta == svc->meta);
  FUZZ_CHECK(back->nodes == svc->nodes);
  return 0;
}
