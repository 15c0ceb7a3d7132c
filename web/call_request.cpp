#include "web/call_request.hpp"

#include <nlohmann/json.hpp>

namespace micro::web {

namespace {

constexpr const char* web_error_id = "micro.web";

result<std::string> text_field(const nlohmann::json& j, const char* key, bool required) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) {
    if (required)
      return errors::bad_request(web_error_id, std::string{"\""} + key + "\" is missing");
    return std::string{};
  }
  if (!it->is_string() || (required && it->get<std::string>().empty()))
    return errors::bad_request(web_error_id, std::string{"\""} + key + "\" must be a non-empty string");
  return it->get<std::string>();
}

}  // namespace

result<call_request> parse_call_request(const std::string& json, std::chrono::milliseconds max_timeout) {
  auto j = nlohmann::json::parse(json, nullptr, false);
  if (j.is_discarded())
    return errors::bad_request(web_error_id, "the body is not valid JSON");
  if (!j.is_object())
    return errors::bad_request(web_error_id, "the body must be a JSON object {\"service\",\"endpoint\",\"request\"}");
  call_request out;
  auto service = text_field(j, "service", true);
  if (!service)
    return service.error();
  auto endpoint = text_field(j, "endpoint", true);
  if (!endpoint)
    return endpoint.error();
  auto node = text_field(j, "node", false);
  if (!node)
    return node.error();
  out.service = *service;
  out.endpoint = *endpoint;
  out.node = *node;
  if (out.endpoint.find('.') == std::string::npos)
    return errors::bad_request(web_error_id, "\"endpoint\" must read Service.Method, not \"" + out.endpoint + "\"");
  auto req = j.find("request");
  out.body = req == j.end() || req->is_null() ? "{}" : req->dump();
  out.timeout = max_timeout;
  if (auto t = j.find("timeout_ms"); t != j.end() && !t->is_null()) {
    if (!t->is_number_integer() || t->get<long long>() <= 0)
      return errors::bad_request(web_error_id, "\"timeout_ms\" must be a whole number of milliseconds from 1");
    out.timeout = std::min(max_timeout, std::chrono::milliseconds{t->get<long long>()});
  }
  return out;
}

}  // namespace micro::web
