#pragma once
// Streams over a byte transport (tcp, memory), multiplexed with calls on the one connection
// between two nodes by stream id. The stream endpoint actors (actors/stream_endpoint.hpp) stay
// as they are: each talks to a `caf::actor peer`. Here that peer is a proxy actor on the
// endpoint's own node that stands in for the remote endpoint:
//
//   what the endpoint sends the proxy       -> one frame on the connection (kind + stream id; but
//                                              see the fast path below: most frames skip it);
//   a frame that arrives for the stream id  -> the same message, to the endpoint, *as* the proxy
//                                              (caf::send_as on the I/O thread: no extra hop,
//                                              arrival order kept, the endpoint's monitor fits);
//   the remote endpoint stopped (gone frame),
//   or the connection closed                -> the proxy quits with a reason: the endpoint sees its
//                                              peer down, as over CAF when a node dies.
//
// The fast path (actors/stream_link.hpp): once the stream is open, each endpoint writes its own
// frames to the connection through a stream_link instead of sending them to its proxy (the server's
// from its hello on, which it writes itself with the open's answer; the client's from the server's
// hello, which brings the link). A plain endpoint (no callbacks, no listener) also lets the I/O
// thread put the peer's credit (server: and data) straight into its stream_channel. What is left
// per batch of messages: the sending endpoint's wake-up, the transport's write, the reading thread's
// wake-up; the proxy only starts, refuses, releases and tells of the peer's going.
//
// Server side: a stream_open frame spawns a proxy for the client's end, which asks the service
// actor to open the stream (`(stream_open_atom, request, window, stream_timeout_ns, proxy)`, as
// the node actor does over CAF) and sends a refusal back as a stream_open answer frame (an
// accepted open is answered by the server endpoint itself, after its hello).
// Client side: the client actor spawns a proxy for the server's end and sends the open through
// its transport_client; the answer comes back like a call's response.
//
// Everything the peer controls is bounded: stream ids (a frame for a stream never opened closes
// the connection; one for a stream that ended is dropped), frame sizes (the transport's max
// frame: batches are split to fit), streams per connection (limits::max_streams, opens past it
// are refused with 503) and per service (the service actor's own limit).

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "actors/transport_client.hpp"
#include "caf/actor.hpp"
#include "caf/fwd.hpp"
#include "transport/connection.hpp"

namespace micro::actors {

class stream_channel;

/// The proxies of some streams, by stream id; shared by the I/O thread (frames in) and the
/// proxies (which leave it when they quit).
class stream_table : public std::enable_shared_from_this<stream_table> {
 public:
  stream_table(caf::actor_system& sys, std::size_t max_frame) : sys_{sys}, max_frame_{max_frame} {}
  virtual ~stream_table() = default;

  struct slot {
    caf::actor proxy;
    caf::actor endpoint;               // the local endpoint, once known (server: at its hello)
    transport::connection_ptr conn;    // client: the connection its server answered on
    std::shared_ptr<stream_channel> channel;  // credit (and with channel_data, data) go here directly
    bool channel_data = false;
  };

  /// Called by a proxy that quits.
  void leave(uint64_t id, const caf::actor_addr& proxy);
  /// Called by a server proxy when its endpoint said hello: frames for it may flow from now on.
  void set_endpoint(uint64_t id, const caf::actor& endpoint);
  /// The endpoint's channel takes the stream's credit (and data) frames directly (stream_link::deliver_into).
  void set_channel(uint64_t id, std::shared_ptr<stream_channel> channel, bool data);
  /// The connection a client proxy sends on (null before the server answered).
  transport::connection_ptr connection_of(uint64_t id);

  std::size_t max_frame() const noexcept { return max_frame_; }
  caf::actor_system& system() noexcept { return sys_; }

 protected:
  // Delivers a data, credit or end frame to `s`'s endpoint as its proxy; a malformed one closes
  // `conn`. Without the lock.
  void deliver(const slot& s, const transport::connection_ptr& conn, transport::frame&& f);
  // Makes every proxy quit (the connection `conn` closed; null = all of them).
  void close_all(const transport::connection_ptr& conn, const transport::status& why);

  caf::actor_system& sys_;
  const std::size_t max_frame_;
  std::mutex mutex_;
  std::unordered_map<uint64_t, slot> slots_;
};

/// The streams one connection carries into this node: made on its first stream frame.
class server_streams : public stream_table {
 public:
  using service_lookup = std::function<caf::actor(const std::string& service)>;
  server_streams(caf::actor_system& sys, transport::connection_ptr conn, std::size_t max_frame,
                 std::size_t max_streams)
    : stream_table{sys, max_frame}, conn_{std::move(conn)}, max_streams_{max_streams} {}

  /// A stream frame from the client, on the I/O thread. `lookup` finds the service actor of an
  /// open (null: not served here).
  void on_frame(transport::frame&& f, const service_lookup& lookup);
  /// The connection closed: every stream on it ends on this side (its endpoint sees the proxy down).
  void on_close(const transport::status& why);

 private:
  void open(transport::frame&& f, const service_lookup& lookup);
  void refuse(uint64_t id, int32_t code, std::string detail);
  transport::connection_ptr conn_;
  const std::size_t max_streams_;
  uint64_t highest_ = 0;      // highest stream id opened on this connection
  bool any_opened_ = false;
};

/// The streams a client actor opened over its transport_client (every connection: ids are the
/// client actor's call ids, unique among them).
class client_streams : public stream_table, public stream_frames_sink {
 public:
  using stream_table::stream_table;

  /// Spawns the proxy that stands in for the server's end of stream `id` for `endpoint`, the
  /// client's; the open itself goes out through transport_client::open_stream.
  void add(uint64_t id, caf::actor endpoint);
  /// The open failed (refused, lost, timed out): its proxy goes.
  void forget(uint64_t id, const std::string& why);
  /// The client stops: every stream ends on this side now (its connections may close unseen).
  void stop(const std::string& why);

  void on_frame(const transport::connection_ptr& conn, transport::frame&& f) override;
  void on_close(const transport::connection_ptr& conn, const transport::status& why) override;
};

/// Proxies alive in this process (the leak checks' figure, beside live_stream_endpoints).
std::size_t live_stream_proxies() noexcept;

}  // namespace micro::actors
