#pragma once
// The calling side of the byte transports (tcp, memory): one connection per node, dialed on
// first use (on a thread of its own, never the caller's) and reused by every later call; calls
// multiplexed by id and their responses matched back. No CAF here: outcomes go to a callback
// (the direct path, actors/direct_calls.hpp, marks and completes the call right there; the client
// actor, for a call whose candidates mix transports, turns them into its own messages).

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "actors/call_carrier.hpp"
#include "actors/wire.hpp"
#include "transport/transport.hpp"

namespace micro::actors {

/// Where the stream frames of a client's connections go (actors/transport_streams.hpp's
/// client_streams): every stream kind but the open's answer, which is reported like a call's
/// response. Called on the transport's I/O thread.
class stream_frames_sink {
 public:
  virtual ~stream_frames_sink() = default;
  virtual void on_frame(const transport::connection_ptr& conn, transport::frame&& f) = 0;
  virtual void on_close(const transport::connection_ptr& conn, const transport::status& why) = 0;
};

/// What became of a batch of publications sent with transport_client::publish.
struct publication_outcome {
  enum class kind : uint8_t {
    acked,          // `ack` is the node's publish_ack body (actors/publication_batch.hpp decodes it)
    not_delivered,  // the batch never left (dial failed, the node does not take publications, limit)
    lost,           // sent, and the connection closed before the ack
  };
  kind what = kind::acked;
  std::string ack;
  std::string why;  // for not_delivered and lost
};

class transport_client {
 public:
  /// `on_outcome` runs once per call, on a transport or dialer thread: it must be quick.
  /// `options` (limits, TLS) apply to every connection this client dials.
  /// `streams` (optional) gets the stream frames of every connection (see open_stream).
  explicit transport_client(outcome_handler on_outcome, transport::transport_options options = {},
                            std::shared_ptr<stream_frames_sink> streams = nullptr);
  ~transport_client();
  transport_client(const transport_client&) = delete;
  transport_client& operator=(const transport_client&) = delete;

  /// Calls the node reached over `transport` ("tcp", "memory") at `address`. `id` must be unique
  /// among this client's calls in flight. A transport this client cannot speak is
  /// not_delivered, with a reason that names it.
  void call(const std::string& transport, const std::string& address, uint64_t id, const request& req);

  /// Opens stream `id` on the node's connection (a stream_open frame), multiplexed with calls. The
  /// open's answer is its outcome, as a call's response is; the stream's other frames go to the
  /// sink. `id` shares the id space of call().
  void open_stream(const std::string& transport, const std::string& address, uint64_t id, const request& open,
                   uint32_t window, int64_t stream_timeout_ns);

  /// The transports call() speaks.
  static bool speaks(const std::string& transport);

  /// Publications (the broker actor, actors/broker_actor.hpp) ride the same connections as calls.
  /// connect: dials the node (or finds its connection) and says whether it takes publication
  /// frames (its hello said transport::hello_takes_publications; an older node does not, and
  /// would close a connection that carried one). `done` runs once, on the caller's thread (a
  /// connection was there) or a dialer thread: quick, no blocking.
  using connect_handler = std::function<void(const transport::status&, bool takes_publications)>;
  void connect(const std::string& transport, const std::string& address, connect_handler done);
  /// Sends batch `id` (the encoded batch, as it is) in a publication frame; `done` runs once with
  /// the node's publish_ack, or why there is none (on a transport or dialer thread, or the
  /// caller's when it cannot be sent). Ids are the caller's, apart from calls' (another kind of
  /// frame): unique among this client's publications in flight. A late ack (its batch given up)
  /// finds nobody and is dropped.
  using publication_handler = std::function<void(publication_outcome)>;
  void publish(const std::string& transport, const std::string& address, uint64_t id, std::string batch,
               publication_handler done);

 private:
  void submit(const std::string& transport, const std::string& address, uint64_t id, transport::frame_kind kind,
              std::string body, publication_handler published = nullptr);
  struct state;
  std::shared_ptr<state> state_;
};

}  // namespace micro::actors
