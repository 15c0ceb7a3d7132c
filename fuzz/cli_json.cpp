// The micro CLI's JSON arguments and output: `micro call/publish/stream` check their JSON
// argument (json_error), and print bodies from the network as one JSON line (as_json), which
// must not fail on bodies that are not JSON or not UTF-8. Property: json_error says "valid"
// exactly when nlohmann parses, and as_json's output is always valid JSON on one line.
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "fuzz/check.hpp"
#include "micro/cli/json_text.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace micro::cli;
  std::string text{reinterpret_cast<const char*>(data), size};
  auto why = json_error(text);
  FUZZ_CHECK(why.has_value() == nlohmann::json::parse(text, nullptr, false).is_discarded());
  auto line = as_json(text);
  FUZZ_CHECK(line.find('\n') == std::string::npos);
  FUZZ_CHECK(!nlohmann::json::parse(line, nullptr, false).is_discarded());
  return 0;
}
