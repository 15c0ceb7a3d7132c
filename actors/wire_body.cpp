#include "actors/wire_body.hpp"

#include "transport/body.hpp"

namespace micro::actors {

void encode_request(const request& req, std::string& out) {
  transport::body_writer w{out};
  w.str(req.service);
  w.str(req.endpoint);
  w.str(req.content_type);
  w.str(req.accept);
  w.map(req.metadata);
  w.i64(req.timeout_ns);
  w.str(req.body);
}

void encode_response(const response& rsp, std::string& out) {
  transport::body_writer w{out};
  w.i32(rsp.code);
  w.str(rsp.error_id);
  w.str(rsp.detail);
  w.str(rsp.content_type);
  w.map(rsp.metadata);
  w.str(rsp.body);
}

transport::status decode_request(std::string_view body, request& out) {
  transport::body_reader r{body, "request"};
  r.str(out.service, "service") && r.str(out.endpoint, "endpoint") && r.str(out.content_type, "content_type")
    && r.str(out.accept, "accept") && r.map(out.metadata, "metadata") && r.i64(out.timeout_ns, "timeout")
    && r.str(out.body, "body") && r.finish();
  return r.error();
}

transport::status decode_response(std::string_view body, response& out) {
  transport::body_reader r{body, "response"};
  r.i32(out.code, "code") && r.str(out.error_id, "error_id") && r.str(out.detail, "detail")
    && r.str(out.content_type, "content_type") && r.map(out.metadata, "metadata") && r.str(out.body, "body")
    && r.finish();
  return r.error();
}

}  // namespace micro::actors
