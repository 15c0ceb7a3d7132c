#include <catch2/catch.hpp>

#include "transport/frame_codec.hpp"

using namespace micro::transport;

namespace {

std::string header(uint32_t length, uint8_t version, uint8_t kind) {
  std::string h;
  for (int i = 3; i >= 0; --i) h.push_back(static_cast<char>((length >> (8 * i)) & 0xff));
  h.push_back(static_cast<char>(version));
  h.push_back(static_cast<char>(kind));
  h.append(10, '\0');
  return h;
}

}  // namespace

TEST_CASE("frames round-trip, whole or one byte at a time", "[frame]") {
  frame_codec codec{1024};
  std::string bytes;
  REQUIRE(codec.encode(frame{frame_kind::request, 3, 0x0102030405060708ULL, "hello"}, bytes).ok());
  REQUIRE(codec.encode(frame{frame_kind::response, 0, 9, ""}, bytes).ok());
  REQUIRE(bytes.size() == 2 * frame_header_size + 5);

  for (std::size_t piece : {bytes.size(), std::size_t{1}, std::size_t{7}}) {
    frame_decoder decoder{1024};
    std::vector<frame> out;
    for (std::size_t at = 0; at < bytes.size(); at += piece)
      REQUIRE(decoder.feed(bytes.data() + at, std::min(piece, bytes.size() - at), out).ok());
    REQUIRE(out.size() == 2);
    CHECK(out[0].kind == frame_kind::request);
    CHECK(out[0].flags == 3);
    CHECK(out[0].id == 0x0102030405060708ULL);
    CHECK(out[0].body == "hello");
    CHECK(out[1].kind == frame_kind::response);
    CHECK(out[1].id == 9);
    CHECK(out[1].body.empty());
    CHECK_FALSE(decoder.mid_frame());
  }
}

TEST_CASE("a 4 GiB length prefix is refused on the header, before any body is buffered", "[frame]") {
  frame_decoder decoder{4u << 20};
  std::vector<frame> out;
  auto h = header(0xffffffffu, protocol_version, 3);
  auto st = decoder.feed(h.data(), h.size(), out);
  CHECK(st.code == errc::frame_too_large);
  CHECK(st.message.find("4294967295") != std::string::npos);
  CHECK(decoder.buffered() <= frame_header_size);
  CHECK(out.empty());
  // An error is final: the byte stream cannot be resynchronised.
  CHECK_FALSE(decoder.feed("x", 1, out).ok());
}

TEST_CASE("a header of another version or an unknown kind is a coded error", "[frame]") {
  frame_codec codec{1024};
  frame_header h;
  CHECK(codec.decode_header(header(1, 2, 3).data(), h).code == errc::bad_version);
  CHECK(codec.decode_header(header(1, protocol_version, 0).data(), h).code == errc::bad_frame);
  CHECK(codec.decode_header(header(1, protocol_version, max_frame_kind + 1).data(), h).code == errc::bad_frame);
  CHECK(codec.decode_header(header(1025, protocol_version, 3).data(), h).code == errc::frame_too_large);
  CHECK(codec.decode_header(header(1024, protocol_version, 3).data(), h).ok());
}

TEST_CASE("encoding a body over the maximum is refused and writes nothing", "[frame]") {
  frame_codec codec{8};
  std::string out;
  CHECK(codec.encode(frame{frame_kind::request, 0, 1, std::string(9, 'x')}, out).code == errc::frame_too_large);
  CHECK(out.empty());
}
