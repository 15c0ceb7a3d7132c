#pragma once
// micro's unary wire messages as frame bodies of the byte transports (tcp, memory): plain C++,
// no CAF serialisation, every length bounded by the frame it came in (transport/body.hpp).

#include <string>
#include <string_view>

#include "actors/wire.hpp"
#include "transport/status.hpp"

namespace micro::actors {

// Appends the body to `out`.
void encode_request(const request& req, std::string& out);
void encode_response(const response& rsp, std::string& out);
// bad_frame naming the message and field when `body` is not a well-formed one.
transport::status decode_request(std::string_view body, request& out);
transport::status decode_response(std::string_view body, response& out);

}  // namespace micro::actors
