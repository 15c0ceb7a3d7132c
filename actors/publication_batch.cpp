#include "actors/publication_batch.hpp"

#include <cstring>

#include "transport/body.hpp"

namespace micro::actors {

namespace {

constexpr char magic[4] = {'m', 'p', 'b', '1'};

void put_u32(std::string& out, uint32_t v) {
  const char bytes[4] = {static_cast<char>(v & 0xff), static_cast<char>((v >> 8) & 0xff),
                         static_cast<char>((v >> 16) & 0xff), static_cast<char>((v >> 24) & 0xff)};
  out.append(bytes, 4);
}

void put_string(std::string& out, const std::string& s) {
  put_u32(out, static_cast<uint32_t>(s.size()));
  out.append(s);
}

// Reads forward through a batch; every read checks what is left, so no input reads past it.
struct reader {
  const std::string& in;
  std::size_t at = 0;
  std::string error;

  bool u32(uint32_t& v) {
    if (in.size() - at < 4)
      return fail("truncated");
    auto b = reinterpret_cast<const unsigned char*>(in.data() + at);
    v = uint32_t{b[0]} | uint32_t{b[1]} << 8 | uint32_t{b[2]} << 16 | uint32_t{b[3]} << 24;
    at += 4;
    return true;
  }
  bool string(std::string& s) {
    uint32_t n = 0;
    if (!u32(n))
      return false;
    if (in.size() - at < n)
      return fail("a string of " + std::to_string(n) + " bytes runs past the end");
    s.assign(in, at, n);
    at += n;
    return true;
  }
  // A count of items that each take at least `min_bytes`: larger than what is left cannot be.
  bool count(uint32_t& n, std::size_t min_bytes) {
    if (!u32(n))
      return false;
    if (n > (in.size() - at) / min_bytes)
      return fail("a count of " + std::to_string(n) + " cannot fit in what is left");
    return true;
  }
  bool fail(std::string why) {
    if (error.empty())
      error = std::move(why) + " at byte " + std::to_string(at);
    return false;
  }
};

// Topic, content type, metadata and body.
bool read_head(reader& r, publication& p) {
  uint32_t entries = 0;
  if (!r.string(p.topic) || !r.string(p.content_type) || !r.count(entries, 8))
    return false;
  for (uint32_t i = 0; i < entries; ++i) {
    std::string k, v;
    if (!r.string(k) || !r.string(v))
      return false;
    p.metadata.insert_or_assign(std::move(k), std::move(v));
  }
  return r.string(p.body);
}

}  // namespace

void encode_publication_head(std::string& out, const std::string& topic, const std::string& content_type,
                             const metadata_map& metadata, const std::string& body) {
  std::size_t size = 16 + topic.size() + content_type.size() + body.size();
  for (auto& [k, v] : metadata)
    size += 8 + k.size() + v.size();
  out.reserve(out.size() + size);
  put_string(out, topic);
  put_string(out, content_type);
  put_u32(out, static_cast<uint32_t>(metadata.size()));
  for (auto& [k, v] : metadata) {
    put_string(out, k);
    put_string(out, v);
  }
  put_string(out, body);
}

void encode_publication_head(std::string& out, const publication& p) {
  encode_publication_head(out, p.topic, p.content_type, p.metadata, p.body);
}

bool decode_publication_head(const std::string& head, publication& out) {
  reader r{head, 0, {}};
  return read_head(r, out) && r.at == head.size();
}

void begin_publication_batch(std::string& batch, uint32_t count, std::size_t reserve) {
  batch.clear();
  batch.reserve(8 + reserve);
  batch.append(magic, sizeof magic);
  put_u32(batch, count);
}

void append_to_batch(std::string& batch, const std::string& head, const std::vector<std::string>& targets) {
  batch.append(head);
  put_u32(batch, static_cast<uint32_t>(targets.size()));
  for (auto& t : targets)
    put_string(batch, t);
}

std::string decode_publication_batch(const std::string& batch, std::vector<publication>& out) {
  out.clear();
  if (batch.size() < sizeof magic || std::memcmp(batch.data(), magic, sizeof magic) != 0)
    return "not a publication batch (bad tag)";
  reader r{batch, sizeof magic, {}};
  uint32_t n = 0;
  // A publication takes at least 20 bytes: four lengths and a target count.
  if (!r.count(n, 20))
    return r.error;
  out.resize(n);
  for (auto& p : out) {
    uint32_t targets = 0;
    if (!read_head(r, p) || !r.count(targets, 4))
      return r.error;
    p.targets.resize(targets);
    for (auto& t : p.targets)
      if (!r.string(t))
        return r.error;
  }
  if (r.at != batch.size())
    return std::to_string(batch.size() - r.at) + " bytes left over after " + std::to_string(n) + " publications";
  return {};
}

void encode_publish_ack(const publish_ack& ack, std::string& out) {
  transport::body_writer w{out};
  w.i32(ack.code);
  w.str(ack.detail);
  w.u32(static_cast<uint32_t>(ack.item_codes.size()));
  for (auto c : ack.item_codes)
    w.i32(c);
}

transport::status decode_publish_ack(std::string_view body, publish_ack& out) {
  out = publish_ack{};
  transport::body_reader r{body, "publish ack"};
  uint32_t count = 0;
  if (!r.i32(out.code, "code") || !r.str(out.detail, "detail") || !r.u32(count, "count"))
    return r.error();
  // What is left after code (4), detail (4 + its bytes) and count (4): 4 bytes per item code.
  const auto left = body.size() - 12 - out.detail.size();
  if (count > left / 4)
    return transport::status::error(transport::errc::bad_frame, "publish ack: count " + std::to_string(count)
                                                                  + " claims more item codes than the body holds ("
                                                                  + std::to_string(left) + " bytes left)");
  out.item_codes.resize(count);
  for (auto& c : out.item_codes)
    if (!r.i32(c, "item code"))
      return r.error();
  r.finish();
  return r.error();
}

}  // namespace micro::actors
