#include "actors/stream_wire_body.hpp"

#include "actors/wire_body.hpp"
#include "transport/body.hpp"

namespace micro::actors {

void encode_stream_open(const request& open, uint32_t window, int64_t stream_timeout_ns, std::string& out) {
  encode_request(open, out);
  transport::body_writer w{out};
  w.u32(window);
  w.i64(stream_timeout_ns);
}

transport::status decode_stream_open(std::string_view body, request& open, uint32_t& window,
                                     int64_t& stream_timeout_ns) {
  // The request is everything but the 12 bytes of window and timeout at the end.
  if (body.size() < 12)
    return transport::status::error(transport::errc::bad_frame, "stream open: body of " + std::to_string(body.size())
                                                                  + " bytes is too short for a window and a timeout");
  if (auto st = decode_request(body.substr(0, body.size() - 12), open); !st)
    return transport::status::error(st.code, "stream open: " + st.message);
  transport::body_reader r{body.substr(body.size() - 12), "stream open"};
  r.u32(window, "window") && r.i64(stream_timeout_ns, "stream_timeout") && r.finish();
  return r.error();
}

void encode_stream_batch(const std::string* first, const std::string* last, std::string& out) {
  transport::body_writer w{out};
  w.u32(static_cast<uint32_t>(last - first));
  for (; first != last; ++first)
    w.str(*first);
}

transport::status decode_stream_batch(std::string_view body, std::vector<std::string>& out) {
  transport::body_reader r{body, "stream data"};
  uint32_t count = 0;
  if (!r.u32(count, "count"))
    return r.error();
  // Every message costs at least its 4-byte length: a count that claims more is refused before
  // anything is reserved for it.
  if (count > (body.size() - 4) / 4)
    return transport::status::error(transport::errc::bad_frame, "stream data: count " + std::to_string(count)
                                                                  + " claims more messages than the body holds");
  out.reserve(out.size() + count);
  for (uint32_t i = 0; i < count; ++i) {
    out.emplace_back();
    if (!r.str(out.back(), "message"))
      return r.error();
  }
  r.finish();
  return r.error();
}

void encode_stream_credit(uint32_t n, std::string& out) { transport::body_writer{out}.u32(n); }

transport::status decode_stream_credit(std::string_view body, uint32_t& n) {
  transport::body_reader r{body, "stream credit"};
  r.u32(n, "credit") && r.finish();
  return r.error();
}

void encode_stream_end(const stream_end& end, std::string& out) {
  transport::body_writer w{out};
  w.i32(end.code);
  w.str(end.error_id);
  w.str(end.detail);
}

transport::status decode_stream_end(std::string_view body, stream_end& out) {
  transport::body_reader r{body, "stream end"};
  r.i32(out.code, "code") && r.str(out.error_id, "error_id") && r.str(out.detail, "detail") && r.finish();
  return r.error();
}

}  // namespace micro::actors
