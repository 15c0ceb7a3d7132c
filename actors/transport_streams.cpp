#include "actors/transport_streams.hpp"

#include <atomic>
#include <chrono>

#include "actors/atoms.hpp"
#include "actors/default_handler.hpp"
#include "actors/metadata_limits.hpp"
#include "actors/stream_channel.hpp"
#include "actors/stream_link.hpp"
#include "actors/stream_wire_body.hpp"
#include "actors/wire_body.hpp"
#include "caf/all.hpp"

// Local messages only (the table tells a client proxy which connection its server answered on).
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(micro::transport::connection_ptr)

namespace micro::actors {

namespace {

using transport::frame;
using transport::frame_kind;

// Local only: from the table (the I/O thread) to a proxy.
using gone_atom = caf::atom_constant<caf::atom("m_tsgone")>;
using attach_atom = caf::atom_constant<caf::atom("m_tsattach")>;

constexpr const char* stream_error_id = "micro.stream";
constexpr const char* server_error_id = "micro.server";
// An open the service actor does not answer within its own bound (plus this) is refused.
constexpr std::chrono::seconds open_margin{2};

std::atomic<std::size_t> live_proxies{0};

// Server proxies' links by the proxy's control block (unique while it lives, in any actor system), for their endpoints (stream_link_of): the
// endpoint learns its peer as an actor handle from the service actor, and a proxy's state is
// not for other actors to read. Never destroyed: proxies may leave it during static destruction.
struct link_directory {
  std::mutex mutex;
  std::unordered_map<const caf::actor_control_block*, std::weak_ptr<stream_link>> links;
};

link_directory& directory() {
  static auto* d = new link_directory;
  return *d;
}

transport::status bad(std::string why) { return transport::status::error(transport::errc::bad_frame, std::move(why)); }

// A message too large for one frame fails the stream on both sides with a coded end.
stream_end too_large_end(std::size_t size, std::size_t max_frame) {
  return stream_end{400, stream_error_id,
                    "a stream message of " + std::to_string(size) + " bytes exceeds the transport's frame limit of "
                      + std::to_string(max_frame) + " bytes"};
}

// The endpoint's direct line (actors/stream_link.hpp): the frames its proxy would write. Errors
// need nothing here: a closed connection makes the table stop the proxy, and the endpoint hears.
class conn_link final : public stream_link {
 public:
  conn_link(std::weak_ptr<stream_table> table, transport::connection_ptr conn, uint64_t id, std::size_t max_frame)
    : table_{std::move(table)}, conn_{std::move(conn)}, id_{id}, max_frame_{max_frame} {}

  void hello(const caf::actor& endpoint, uint32_t credit) override {
    if (auto table = table_.lock())
      table->set_endpoint(id_, endpoint);  // before the hello leaves: the client may answer at once
    std::string body;
    encode_stream_credit(credit, body);
    conn_->send(frame{frame_kind::stream_credit, transport::stream_hello, id_, std::move(body)});
    std::string answer;
    encode_response(response{}, answer);
    conn_->send(frame{frame_kind::stream_open, transport::stream_answer, id_, std::move(answer)});
  }

  // One frame per batch, split where a frame would pass the transport's limit.
  std::optional<stream_end> data(std::vector<std::string>& items) override {
    const auto limit = max_frame_ - 4;  // the count
    std::size_t first = 0;
    while (first < items.size()) {
      std::size_t size = 0;
      auto last = first;
      while (last < items.size() && size + stream_item_size(items[last]) <= limit)
        size += stream_item_size(items[last++]);
      if (last == first)
        return too_large_end(items[first].size(), max_frame_);
      std::string body;
      body.reserve(size + 4);
      encode_stream_batch(items.data() + first, items.data() + last, body);
      conn_->send(frame{frame_kind::stream_data, 0, id_, std::move(body)});
      first = last;
    }
    return std::nullopt;
  }

  void credit(uint32_t n) override {
    std::string body;
    encode_stream_credit(n, body);
    conn_->send(frame{frame_kind::stream_credit, 0, id_, std::move(body)});
  }

  void end(const stream_end& end) override {
    std::string body;
    encode_stream_end(end, body);
    conn_->send(frame{frame_kind::stream_end, 0, id_, std::move(body)});
  }

  void deliver_into(std::shared_ptr<stream_channel> channel, bool data) override {
    if (auto table = table_.lock())
      table->set_channel(id_, std::move(channel), data);
  }

 private:
  std::weak_ptr<stream_table> table_;
  transport::connection_ptr conn_;
  const uint64_t id_;
  const std::size_t max_frame_;
};

struct proxy_state {
  std::shared_ptr<stream_table> table;
  transport::connection_ptr conn;  // client: null until its server answered
  uint64_t id = 0;
  caf::actor endpoint;             // the local endpoint (server: from its hello)
  stream_link_ptr link;            // what the endpoint writes through (server: from the start)
  bool server = false;
  bool released = false;           // server: the stream's last frame went out
  bool closing = false;            // the endpoint was told its peer is gone: quit with it
  static inline const char* name = "micro.stream_proxy";
};

using proxy_self = caf::stateful_actor<proxy_state>;

void send_frame(proxy_self* self, frame_kind kind, uint16_t flags, std::string body) {
  auto& st = self->state;
  if (!st.conn)
    return;  // a client endpoint sends nothing before its server's hello, which brings the connection
  // Errors need nothing here: a closed connection makes the table stop this proxy.
  st.conn->send(frame{kind, flags, st.id, std::move(body)});
}

// The server's last frame of the stream, once: the client's side and both transports' counts
// let the stream id go with it.
void release(proxy_self* self, std::string why) {
  auto& st = self->state;
  if (!st.server || st.released)
    return;
  st.released = true;
  send_frame(self, frame_kind::stream_end, transport::stream_gone | transport::stream_released, std::move(why));
}

void quit(proxy_self* self, caf::error reason) {
  self->state.table->leave(self->state.id, self->address());
  self->quit(std::move(reason));
}

// Frames from an endpoint that writes through its proxy (one that had no link yet).
void send_batch(proxy_self* self, std::vector<std::string>& items) {
  auto& st = self->state;
  if (!st.link)
    return;  // a client endpoint sends nothing before its server's hello, which brings the link
  if (auto end = st.link->data(items)) {
    st.link->end(*end);
    if (st.endpoint)
      self->send(st.endpoint, std::move(*end));
  }
}

caf::behavior proxy_common(proxy_self* self, caf::message_handler specific) {
  install_default_handler(self);
  ++live_proxies;
  self->attach_functor([](const caf::error&) { --live_proxies; });
  self->set_down_handler([self](caf::down_msg& msg) {
    if (msg.source != self->state.endpoint.address())
      return;
    if (self->state.closing) {
      quit(self, caf::exit_reason::normal);
      return;
    }
    // The local endpoint stopped: the remote one hears it as its peer going down.
    if (self->state.server)
      release(self, "the server's stream endpoint stopped");
    else
      send_frame(self, frame_kind::stream_end, transport::stream_gone, "the client's stream endpoint stopped");
    quit(self, caf::exit_reason::normal);
  });
  return specific.or_else(caf::message_handler{
    [self](stream_frames& batch) { send_batch(self, batch.items); },
    [self](stream_credit_atom, uint32_t n) {
      std::string body;
      encode_stream_credit(n, body);
      send_frame(self, frame_kind::stream_credit, 0, std::move(body));
    },
    [self](stream_end& end) {
      std::string body;
      encode_stream_end(end, body);
      send_frame(self, frame_kind::stream_end, 0, std::move(body));
    },
    [self](gone_atom, std::string& why, bool connection_closed) {
      // The remote endpoint stopped (or the connection closed, or the open failed): the local
      // endpoint hears it as its peer going down. Told here with a down message rather than by
      // quitting: this proxy holds the endpoint's last reference (CAF destroys an actor nobody
      // references without reading its mailbox), so it stays until the endpoint is done.
      auto& st = self->state;
      if (!connection_closed)
        release(self, "the client's stream endpoint stopped");
      auto reason = caf::make_error(connection_closed ? caf::sec::socket_disconnected : caf::sec::runtime_error, why);
      if (!st.endpoint || st.closing) {
        quit(self, std::move(reason));
        return;
      }
      st.closing = true;
      st.table->leave(st.id, self->address());  // no more frames come in for it
      self->send(st.endpoint, caf::down_msg{self->address(), std::move(reason)});
    },
  });
}

caf::behavior server_proxy(proxy_self* self, std::shared_ptr<stream_table> table, transport::connection_ptr conn,
                           uint64_t id, caf::actor service, request open, uint32_t window, int64_t stream_timeout_ns) {
  auto& st = self->state;
  st.table = std::move(table);
  st.conn = std::move(conn);
  st.id = id;
  st.server = true;
  st.link = std::make_shared<conn_link>(st.table, st.conn, id, st.table->max_frame());
  {
    std::lock_guard lock{directory().mutex};
    directory().links[caf::actor_cast<caf::actor_control_block*>(self)] = st.link;
  }
  self->attach_functor([me = caf::actor_cast<caf::actor_control_block*>(self)](const caf::error&) {
    std::lock_guard lock{directory().mutex};
    directory().links.erase(me);
  });
  auto bound = std::chrono::nanoseconds{std::max<int64_t>(open.timeout_ns, 0)} + open_margin;
  self->request(service, bound, stream_open_atom::value, std::move(open), window, stream_timeout_ns,
                caf::actor_cast<caf::actor>(self))
    .then(
      [self](response& rsp) {
        // Accepted: the endpoint wrote the answer after its hello, through the link.
        if (rsp.code == 0)
          return;
        std::string body;
        encode_response(rsp, body);
        self->state.released = true;
        send_frame(self, frame_kind::stream_open, transport::stream_answer | transport::stream_released,
                   std::move(body));
        quit(self, caf::exit_reason::normal);
      },
      [self](caf::error& err) {
        std::string body;
        encode_response(make_error_response(503, server_error_id,
                                            "the stream could not be opened: " + self->system().render(err)),
                        body);
        if (!self->state.released) {
          self->state.released = true;
          send_frame(self, frame_kind::stream_open, transport::stream_answer | transport::stream_released,
                     std::move(body));
        }
        quit(self, caf::exit_reason::normal);
      });
  return proxy_common(self, caf::message_handler{
    [self](stream_hello_atom, uint32_t) {
      // The endpoint said hello through the link (hello and answer frames) right after this.
      auto& st = self->state;
      if (st.endpoint)
        return;
      st.endpoint = caf::actor_cast<caf::actor>(self->current_sender());
      self->monitor(st.endpoint);
      st.table->set_endpoint(st.id, st.endpoint);
    },
  });
}

caf::behavior client_proxy(proxy_self* self, std::shared_ptr<stream_table> table, uint64_t id, caf::actor endpoint) {
  auto& st = self->state;
  st.table = std::move(table);
  st.id = id;
  st.endpoint = std::move(endpoint);
  self->monitor(st.endpoint);
  return proxy_common(self, caf::message_handler{
    [self](attach_atom, transport::connection_ptr& conn, stream_link_ptr& link) {
      if (!self->state.conn) {
        self->state.conn = std::move(conn);
        self->state.link = std::move(link);
      }
    },
  });
}

}  // namespace

// -- stream_table ------------------------------------------------------------------------------

void stream_table::leave(uint64_t id, const caf::actor_addr& proxy) {
  std::lock_guard lock{mutex_};
  if (auto it = slots_.find(id); it != slots_.end() && it->second.proxy.address() == proxy)
    slots_.erase(it);
}

void stream_table::set_endpoint(uint64_t id, const caf::actor& endpoint) {
  std::lock_guard lock{mutex_};
  if (auto it = slots_.find(id); it != slots_.end())
    it->second.endpoint = endpoint;
}

void stream_table::set_channel(uint64_t id, std::shared_ptr<stream_channel> channel, bool data) {
  std::lock_guard lock{mutex_};
  if (auto it = slots_.find(id); it != slots_.end()) {
    it->second.channel = std::move(channel);
    it->second.channel_data = data;
  }
}

transport::connection_ptr stream_table::connection_of(uint64_t id) {
  std::lock_guard lock{mutex_};
  auto it = slots_.find(id);
  return it == slots_.end() ? nullptr : it->second.conn;
}

void stream_table::deliver(const slot& s, const transport::connection_ptr& conn, frame&& f) {
  switch (f.kind) {
    case frame_kind::stream_data: {
      stream_frames batch;
      if (auto st = decode_stream_batch(f.body, batch.items); !st || f.flags != 0) {
        conn->close(st ? bad("stream data with flags " + std::to_string(f.flags)) : st);
        return;
      }
      if (s.channel && s.channel_data) {  // no hop through the endpoint's mailbox
        if (!s.channel->deliver(std::move(batch.items)))
          caf::anon_send(s.endpoint, stream_overrun_atom::value);
        return;
      }
      caf::send_as(s.proxy, s.endpoint, std::move(batch));
      return;
    }
    case frame_kind::stream_credit: {
      uint32_t n = 0;
      if (auto st = decode_stream_credit(f.body, n); !st) {
        conn->close(st);
        return;
      }
      if (f.flags == transport::stream_hello)
        caf::send_as(s.proxy, s.endpoint, stream_hello_atom::value, n);
      else if (s.channel)  // no hop through the endpoint's mailbox
        s.channel->add_credit(n);
      else
        caf::send_as(s.proxy, s.endpoint, stream_credit_atom::value, n);
      return;
    }
    case frame_kind::stream_end: {
      if ((f.flags & transport::stream_gone) != 0) {
        caf::anon_send(s.proxy, gone_atom::value, std::string{"the peer's stream endpoint stopped: "} + f.body, false);
        return;
      }
      stream_end end;
      if (auto st = decode_stream_end(f.body, end); !st) {
        conn->close(st);
        return;
      }
      caf::send_as(s.proxy, s.endpoint, std::move(end));
      return;
    }
    default:
      conn->close(bad(std::string{"unexpected "} + transport::to_string(f.kind) + " frame for stream "
                      + std::to_string(f.id)));
  }
}

void stream_table::close_all(const transport::connection_ptr& conn, const transport::status& why) {
  std::vector<caf::actor> proxies;
  {
    std::lock_guard lock{mutex_};
    for (auto it = slots_.begin(); it != slots_.end();) {
      if (conn && it->second.conn != conn) {
        ++it;
        continue;
      }
      proxies.push_back(it->second.proxy);
      it = slots_.erase(it);
    }
  }
  std::string reason = "the connection " + (conn ? "to " + conn->peer() + " " : std::string{}) + "closed: "
                       + (why.message.empty() ? std::string{transport::to_string(why.code)} : why.message);
  for (auto& p : proxies)
    caf::anon_send(p, gone_atom::value, reason, true);
}

// -- server_streams ----------------------------------------------------------------------------

void server_streams::refuse(uint64_t id, int32_t code, std::string detail) {
  std::string body;
  encode_response(make_error_response(code, server_error_id, std::move(detail)), body);
  conn_->send(frame{frame_kind::stream_open, transport::stream_answer | transport::stream_released, id, std::move(body)});
}

void server_streams::open(frame&& f, const service_lookup& lookup) {
  if (f.flags != 0) {
    conn_->close(bad("a stream open with flags " + std::to_string(f.flags) + " (only servers answer opens)"));
    return;
  }
  // Never close or send under the lock: a close runs on_close, which takes it, on this thread.
  std::size_t open_now = 0;
  bool reused = false;
  {
    std::lock_guard lock{mutex_};
    reused = slots_.count(f.id) != 0;
    highest_ = any_opened_ ? std::max(highest_, f.id) : f.id;
    any_opened_ = true;
    open_now = slots_.size();
  }
  if (reused) {
    conn_->close(bad("stream id " + std::to_string(f.id) + " opened again while open"));
    return;
  }
  request req;
  uint32_t window = 0;
  int64_t stream_timeout_ns = 0;
  if (auto st = decode_stream_open(f.body, req, window, stream_timeout_ns); !st) {
    conn_->close(st);
    return;
  }
  if (open_now >= max_streams_) {
    refuse(f.id, 503, std::to_string(open_now) + " streams are open on this connection, its limit");
    return;
  }
  if (auto why = check_metadata(req.metadata); !why.empty()) {
    refuse(f.id, 400, "stream refused: " + why);
    return;
  }
  auto service = lookup(req.service);
  if (!service) {
    refuse(f.id, 404, "service " + req.service + " is not served by this node");
    return;
  }
  // Registered before the proxy runs: its answer, and its leave, find the slot.
  std::lock_guard lock{mutex_};
  auto proxy = sys_.spawn(server_proxy, shared_from_this(), conn_, f.id, std::move(service), std::move(req), window,
                          stream_timeout_ns);
  // A spawn leaves this thread holding the actor system's logger (CAF 0.17 keeps it in a
  // thread-local), and the system's destructor waits until no thread holds it: the memory
  // transport's delivery thread lives as long as the process (seen: a hang at shutdown).
  caf::logger::set_current_actor_system(nullptr);
  slots_[f.id] = slot{proxy, nullptr, conn_, nullptr, false};
}

void server_streams::on_frame(frame&& f, const service_lookup& lookup) {
  if (f.kind == frame_kind::stream_open) {
    open(std::move(f), lookup);
    return;
  }
  slot s;
  bool known = false, ended = false;
  {
    std::lock_guard lock{mutex_};
    auto it = slots_.find(f.id);
    known = it != slots_.end();
    ended = !known && any_opened_ && f.id <= highest_;
    if (known)
      s = it->second;
  }
  if (ended)
    return;  // a stream that ended here while the client still sent: nobody reads it
  if (!known) {
    conn_->close(bad(std::string{transport::to_string(f.kind)} + " frame for stream " + std::to_string(f.id)
                     + ", which was never opened on this connection"));
    return;
  }
  if (!s.endpoint) {
    if (f.kind == frame_kind::stream_end && (f.flags & transport::stream_gone) != 0) {
      caf::anon_send(s.proxy, gone_atom::value, std::string{"the client's stream endpoint stopped"}, false);
      return;
    }
    conn_->close(bad(std::string{transport::to_string(f.kind)} + " frame for stream " + std::to_string(f.id)
                     + " before the server accepted it"));
    return;
  }
  if (f.kind == frame_kind::stream_credit && f.flags != 0) {
    conn_->close(bad("only a server says hello on a stream"));
    return;
  }
  deliver(s, conn_, std::move(f));
}

void server_streams::on_close(const transport::status& why) { close_all(nullptr, why); }

// -- client_streams ----------------------------------------------------------------------------

void client_streams::add(uint64_t id, caf::actor endpoint) {
  std::lock_guard lock{mutex_};
  auto proxy = sys_.spawn(client_proxy, shared_from_this(), id, endpoint);
  slots_[id] = slot{proxy, std::move(endpoint), nullptr, nullptr, false};
}

void client_streams::forget(uint64_t id, const std::string& why) {
  slot s;
  {
    std::lock_guard lock{mutex_};
    auto it = slots_.find(id);
    if (it == slots_.end())
      return;
    s = std::move(it->second);
    slots_.erase(it);
  }
  if (s.conn)  // its server said hello: that stream goes too
    s.conn->send(frame{frame_kind::stream_end, transport::stream_gone, id, "the client gave the open up: " + why});
  caf::anon_send(s.proxy, gone_atom::value, why, true);
}

void client_streams::stop(const std::string& why) {
  close_all(nullptr, transport::status::error(transport::errc::closed, why));
}

void client_streams::on_frame(const transport::connection_ptr& conn, frame&& f) {
  slot s;
  bool attach = false, unknown = false;
  {
    std::lock_guard lock{mutex_};
    auto it = slots_.find(f.id);
    if (it == slots_.end()) {
      unknown = true;
    } else if (it->second.conn && it->second.conn != conn) {
      return;  // not this stream's connection
    } else {
      attach = !it->second.conn;  // its server's hello: this is where the stream lives
      it->second.conn = conn;
      s = it->second;
      if (f.kind == frame_kind::stream_end && (f.flags & transport::stream_gone) != 0)
        slots_.erase(it);
    }
  }
  if (unknown) {
    // A hello for a stream given up here (its open timed out, say): the server lets it go.
    if (f.kind == frame_kind::stream_credit && f.flags == transport::stream_hello)
      conn->send(frame{frame_kind::stream_end, transport::stream_gone, f.id, "no such stream at the client"});
    return;  // otherwise a stream that ended here
  }
  stream_link_ptr link;
  if (attach) {  // before the frame reaches the endpoint, so the proxy can send its answers
    link = std::make_shared<conn_link>(weak_from_this(), conn, f.id, max_frame_);
    caf::anon_send(s.proxy, attach_atom::value, conn, link);
  }
  if (f.kind == frame_kind::stream_end && (f.flags & transport::stream_gone) != 0) {
    caf::anon_send(s.proxy, gone_atom::value, std::string{"the server's stream endpoint stopped: "} + f.body, false);
    return;
  }
  if (link && f.kind == frame_kind::stream_credit && f.flags == transport::stream_hello) {
    // The endpoint writes its frames through the link from the hello on.
    uint32_t n = 0;
    if (auto st = decode_stream_credit(f.body, n); !st) {
      conn->close(st);
      return;
    }
    caf::send_as(s.proxy, s.endpoint, stream_hello_atom::value, n, std::move(link));
    return;
  }
  deliver(s, conn, std::move(f));
}

void client_streams::on_close(const transport::connection_ptr& conn, const transport::status& why) {
  close_all(conn, why);
}

std::size_t live_stream_proxies() noexcept { return live_proxies.load(); }

stream_link_ptr stream_link_of(const caf::actor& peer) {
  if (!peer)
    return nullptr;
  std::lock_guard lock{directory().mutex};
  auto it = directory().links.find(caf::actor_cast<caf::actor_control_block*>(peer));
  if (it == directory().links.end())
    return nullptr;
  // Taken, not looked at: one endpoint per proxy, and an idle stream holds no entry.
  auto link = it->second.lock();
  directory().links.erase(it);
  return link;
}

}  // namespace micro::actors
