#include "http/errors.hpp"

#include <nlohmann/json.hpp>

namespace micro::http {

response error_response(int code, const std::string& id, const std::string& detail) {
  response rsp;
  rsp.status = code;
  rsp.body = nlohmann::json{{"id", id}, {"code", code}, {"detail", detail}, {"status", reason(code)}}.dump(
      -1, ' ', false, nlohmann::json::error_handler_t::replace);
  return rsp;
}

response json_response(std::string body, int status) {
  response rsp;
  rsp.status = status;
  rsp.body = std::move(body);
  return rsp;
}

}  // namespace micro::http
