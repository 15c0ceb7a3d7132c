#include "micro/cli/json_text.hpp"

#include <nlohmann/json.hpp>

namespace micro::cli {

namespace {

using json = nlohmann::json;

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

}  // namespace

std::optional<std::string> json_error(const std::string& text) {
  try {
    [[maybe_unused]] auto parsed = json::parse(text);
    return std::nullopt;
  } catch (const json::exception& e) {  // parse_error, and out_of_range for "3e334" (found by fuzz/cli_json)
    std::string what = e.what();
    auto end = what.find("] ");
    return what.rfind("[json.exception.", 0) == 0 && end != std::string::npos ? what.substr(end + 2) : what;
  }
}

std::string as_json(const std::string& body) {
  auto parsed = json::parse(body, nullptr, false);
  return dump(parsed.is_discarded() ? json(body) : parsed);
}

}  // namespace micro::cli
