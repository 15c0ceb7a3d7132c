#pragma once
// Stream messages as frame bodies of the byte transports (tcp, memory), beside the unary ones of
// actors/wire_body: plain C++, every length and count bounded by the frame it came in.
//
//   stream_open (client -> server)        request, u32 window, i64 stream_timeout_ns
//   stream_open + stream_answer           response (the open's answer; code 0 = accepted)
//   stream_data                           u32 count, then count length-prefixed messages
//   stream_credit (+ stream_hello)        u32 credit
//   stream_end                            i32 code, error id, detail
//   stream_end + stream_gone              why (for people)

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "actors/wire.hpp"
#include "transport/status.hpp"

namespace micro::actors {

void encode_stream_open(const request& open, uint32_t window, int64_t stream_timeout_ns, std::string& out);
transport::status decode_stream_open(std::string_view body, request& open, uint32_t& window,
                                     int64_t& stream_timeout_ns);

/// Bytes one message adds to a stream_data body (its length prefix and itself).
inline std::size_t stream_item_size(const std::string& item) { return 4 + item.size(); }
/// Appends items [first, last) as one batch.
void encode_stream_batch(const std::string* first, const std::string* last, std::string& out);
transport::status decode_stream_batch(std::string_view body, std::vector<std::string>& out);

void encode_stream_credit(uint32_t n, std::string& out);
transport::status decode_stream_credit(std::string_view body, uint32_t& n);

void encode_stream_end(const stream_end& end, std::string& out);
transport::status decode_stream_end(std::string_view body, stream_end& out);

}  // namespace micro::actors
