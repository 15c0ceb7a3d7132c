#pragma once
// A batch of publications for one node as one string: what the broker actor sends across nodes.
// CAF serialized a std::vector<publication> field by field (a virtual call and an error value
// per field, the buffer grown by copies): that was the publishing node's I/O thread's whole
// cost, and each node of a topic needed its own copy of every publication. Here a publication
// is encoded once (its head), the bytes are appended to the batch of each node it goes to, and
// CAF moves a single string.
//
// Layout, integers little-endian: "mpb1", u32 count, then per publication its head (topic,
// content type, u32 metadata count with key/value pairs, body) and its targets (u32 count,
// strings); a string is u32 length + bytes. A batch that does not parse is refused whole.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "actors/wire.hpp"
#include "transport/status.hpp"

namespace micro::actors {

/// Appends `p` without its targets to `out` (a publication's head, shared by every node).
void encode_publication_head(std::string& out, const publication& p);
void encode_publication_head(std::string& out, const std::string& topic, const std::string& content_type,
                             const metadata_map& metadata, const std::string& body);
/// The publication (targets empty) of a head; false if `head` is not exactly one.
bool decode_publication_head(const std::string& head, publication& out);

/// A batch being built: start it, then add each publication's head with that node's targets.
void begin_publication_batch(std::string& batch, uint32_t count, std::size_t reserve);
void append_to_batch(std::string& batch, const std::string& head, const std::vector<std::string>& targets);

/// Decodes a batch into `out` (replacing its content). Empty on success, else why not (the
/// batch is malformed: truncated, a length past its end, bytes left over, a bad tag).
std::string decode_publication_batch(const std::string& batch, std::vector<publication>& out);

/// A node's answer to a batch as the body of a publish_ack frame (a byte transport carries the
/// batch itself, as it is, in a publication frame): i32 code, detail (u32 length + bytes), u32
/// count + that many i32 item codes, big-endian like every frame body (transport/body.hpp).
/// A body that does not parse (truncated, a count past what the body holds, bytes left over) is
/// errc::bad_frame, saying why; nothing is reserved for what a count claims.
void encode_publish_ack(const publish_ack& ack, std::string& out);
transport::status decode_publish_ack(std::string_view body, publish_ack& out);

}  // namespace micro::actors
