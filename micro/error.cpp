#include "micro/error.hpp"

#include <nlohmann/json.hpp>

namespace micro {

std::string error::to_json() const {
  nlohmann::json j{{"id", id}, {"code", code}, {"detail", detail}, {"status", status}};
  return j.dump();
}

const char* error::what() const noexcept {
  try {
    what_ = to_json();
  } catch (...) {
    return "micro::error";
  }
  return what_.c_str();
}

std::optional<error> error::from_json(std::string_view text) {
  auto j = nlohmann::json::parse(text.begin(), text.end(), nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("code") || !j["code"].is_number_integer())
    return std::nullopt;
  error e;
  e.code = j["code"].get<int32_t>();
  e.id = j.value("id", "");
  e.detail = j.value("detail", "");
  e.status = j.value("status", status_text(e.code));
  return e;
}

bool operator==(const error& a, const error& b) {
  return a.id == b.id && a.code == b.code && a.detail == b.detail && a.status == b.status;
}

const char* status_text(int32_t code) noexcept {
  switch (code) {
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 413: return "Payload Too Large";
    case 415: return "Unsupported Media Type";
    case 429: return "Too Many Requests";
    case 499: return "Client Closed Request";  // a cancelled stream (nginx's code)
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "Unknown";
  }
}

error make_error(std::string id, int32_t code, std::string detail) {
  return error{std::move(id), code, std::move(detail), status_text(code)};
}

namespace errors {
error bad_request(std::string id, std::string detail) { return make_error(std::move(id), 400, std::move(detail)); }
error unauthorized(std::string id, std::string detail) { return make_error(std::move(id), 401, std::move(detail)); }
error forbidden(std::string id, std::string detail) { return make_error(std::move(id), 403, std::move(detail)); }
error not_found(std::string id, std::string detail) { return make_error(std::move(id), 404, std::move(detail)); }
error timeout(std::string id, std::string detail) { return make_error(std::move(id), 408, std::move(detail)); }
error conflict(std::string id, std::string detail) { return make_error(std::move(id), 409, std::move(detail)); }
error internal_server_error(std::string id, std::string detail) { return make_error(std::move(id), 500, std::move(detail)); }
error service_unavailable(std::string id, std::string detail) { return make_error(std::move(id), 503, std::move(detail)); }
}  // namespace errors

}  // namespace micro
