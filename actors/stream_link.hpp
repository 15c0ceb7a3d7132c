#pragma once
// A stream endpoint's direct line to its remote peer over a byte transport (tcp, memory): the
// endpoint writes its own frames to the connection instead of sending them to the proxy actor
// that stands in for the peer (actors/transport_streams.hpp). One actor hop (a wake-up of a CAF
// worker) less per batch and per credit, which is most of a stream's cost at the default window.
//
// The proxy stays for everything else (the peer's going, the connection's closing, the open's
// refusals, the server's release frame). What keeps the wire order: the endpoint writes every
// frame of its stream from the hello on (server: hello, the open's answer, data, credit, end);
// the proxy writes only before it (a refusal) or after the endpoint is gone (the release).
// A peer on another node (CAF's BASP) has no link: messages go to the peer actor as before.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "actors/wire.hpp"
#include "caf/actor.hpp"
#include "caf/allowed_unsafe_message_type.hpp"
#include "caf/atom.hpp"

namespace micro::actors {

class stream_channel;

/// Local only: the peer sent more messages than its credit allowed into a channel fed by the
/// I/O thread (deliver_into); the endpoint fails the stream with 400.
using stream_overrun_atom = caf::atom_constant<caf::atom("m_sover")>;

class stream_link {
 public:
  virtual ~stream_link() = default;

  /// Server: the hello (the server's window as credit) and the accepted open's answer, in that
  /// order, before anything else of the stream; frames for it go to `endpoint` from now on.
  virtual void hello(const caf::actor& endpoint, uint32_t credit) = 0;
  /// Messages as data frames, split to fit the transport's frame limit. A message larger than a
  /// frame is not sent: the end that fails the stream for it comes back (what came before it went).
  virtual std::optional<stream_end> data(std::vector<std::string>& items) = 0;
  virtual void credit(uint32_t n) = 0;
  virtual void end(const stream_end& end) = 0;
  /// The peer's credit frames (and its data frames, with `data`) go from the I/O thread
  /// straight into `channel` from now on, not through the endpoint's mailbox: for an endpoint
  /// whose channel is all it does with them (no callbacks, no listener). Data only from before
  /// the first data frame can arrive (a server's, before its hello), or order would break.
  virtual void deliver_into(std::shared_ptr<stream_channel> channel, bool data) = 0;
};

using stream_link_ptr = std::shared_ptr<stream_link>;

/// The link of `peer` when it is a transport stream proxy of this process that has one (a
/// server's: from its start); null otherwise. Once: the link is handed over, not shared.
stream_link_ptr stream_link_of(const caf::actor& peer);

}  // namespace micro::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(micro::actors::stream_link_ptr)
