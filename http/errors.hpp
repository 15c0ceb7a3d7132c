#pragma once
// Error answers in go-micro's JSON shape, {"id","code","detail","status"}, so an HTTP client sees
// the same error a micro client would.

#include <string>

#include "http/server.hpp"

namespace micro::http {

/// {"id": id, "code": code, "detail": detail, "status": reason(code)} with HTTP status `code`.
response error_response(int code, const std::string& id, const std::string& detail);

/// A JSON body as a 200 response.
response json_response(std::string body, int status = 200);

}  // namespace micro::http
