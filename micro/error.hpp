#pragma once
// Errors as values, in go-micro's shape: {"id":...,"code":...,"detail":...,"status":...}, so tools
// that read go-micro errors read ours. Codes are HTTP-like (400, 404, 408, 500, 503, ...).
// A handler may also `throw` one: it reaches the caller unchanged.

#include <cstdint>
#include <exception>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace micro {

/// Also an exception (result::value() and setup mistakes throw it), so that one that escapes
/// still says what happened: what() is its JSON.
struct error : std::exception {
  std::string id;      // who produced it: "micro.client", "micro.server", or a service name
  int32_t code = 500;  // HTTP-like
  std::string detail;  // human readable
  std::string status;  // HTTP status text of `code` ("Not Found")

  error() = default;
  error(std::string id, int32_t code, std::string detail, std::string status = {})
      : id(std::move(id)), code(code), detail(std::move(detail)), status(std::move(status)) {}

  /// to_json(), kept in the error so the pointer stays valid while it lives.
  const char* what() const noexcept override;

  std::string to_json() const;
  /// Parses go-micro's error JSON; nullopt if `text` is not one.
  static std::optional<error> from_json(std::string_view text);

 private:
  mutable std::string what_;
};

bool operator==(const error& a, const error& b);
inline bool operator!=(const error& a, const error& b) { return !(a == b); }

/// "Not Found" for 404, ...; "Unknown" for codes without a name.
const char* status_text(int32_t code) noexcept;

/// Builds an error whose status text matches its code.
error make_error(std::string id, int32_t code, std::string detail);

namespace errors {
error bad_request(std::string id, std::string detail);           // 400
error unauthorized(std::string id, std::string detail);          // 401
error forbidden(std::string id, std::string detail);             // 403
error not_found(std::string id, std::string detail);             // 404
error timeout(std::string id, std::string detail);               // 408
error conflict(std::string id, std::string detail);              // 409
error internal_server_error(std::string id, std::string detail); // 500
error service_unavailable(std::string id, std::string detail);   // 503
}  // namespace errors

}  // namespace micro
