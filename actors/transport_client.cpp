#include "actors/transport_client.hpp"

#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "actors/stream_wire_body.hpp"
#include "actors/wire_body.hpp"
#include "transport/transport.hpp"

namespace micro::actors {

namespace {

struct node_link {
  transport::connection_ptr conn;                  // null while dialing
  std::vector<transport::frame> queued;            // requests and stream opens waiting for the dial
  std::set<uint64_t> outstanding;                  // sent, awaiting a response
};

}  // namespace

struct transport_client::state : std::enable_shared_from_this<transport_client::state> {
  outcome_handler on_outcome;
  std::shared_ptr<stream_frames_sink> streams;  // null: this client opens no streams
  transport::transport_options options;  // of every transport made here
  std::mutex mutex;  // guards everything below
  std::map<std::string, std::shared_ptr<transport::transport>> transports;  // by name, made on first use
  std::map<std::string, node_link> links;                                    // by "name address"

  void fail(uint64_t id, call_outcome::kind what, std::string why) {
    call_outcome o;
    o.what = what;
    o.why = std::move(why);
    on_outcome(id, std::move(o));
  }

  // Sends on an established link, or reports why it cannot. Called without the lock.
  void send(const std::string& key, const transport::connection_ptr& conn, transport::frame f) {
    auto id = f.id;
    auto st = conn->send(std::move(f));
    if (st)
      return;
    {
      std::lock_guard lock{mutex};
      if (auto it = links.find(key); it != links.end()) it->second.outstanding.erase(id);
    }
    fail(id, call_outcome::kind::not_delivered, "cannot send to " + conn->peer() + ": " + st.message);
  }

  void on_frame(const std::string& key, const transport::connection_ptr& conn, transport::frame&& f) {
    bool answer = f.kind == transport::frame_kind::response
                  || (f.kind == transport::frame_kind::stream_open && (f.flags & transport::stream_answer) != 0);
    if (!answer) {
      if (streams && f.kind >= transport::frame_kind::stream_open && f.kind <= transport::frame_kind::stream_end)
        streams->on_frame(conn, std::move(f));
      return;  // nothing else is asked of a node yet
    }
    {
      std::lock_guard lock{mutex};
      auto it = links.find(key);
      if (it == links.end() || it->second.outstanding.erase(f.id) == 0)
        return;  // a call already failed by its connection's close
    }
    call_outcome o;
    if (auto st = decode_response(f.body, o.rsp); !st) {
      fail(f.id, call_outcome::kind::lost, "undecodable response from " + conn->peer() + ": " + st.message);
      conn->close(st);
      return;
    }
    on_outcome(f.id, std::move(o));
  }

  void on_close(const std::string& key, const transport::connection_ptr& conn, const transport::status& why) {
    if (streams)
      streams->on_close(conn, why);
    std::set<uint64_t> lost;
    {
      std::lock_guard lock{mutex};
      auto it = links.find(key);
      if (it == links.end() || it->second.conn != conn)
        return;
      lost.swap(it->second.outstanding);
      links.erase(it);
    }
    for (auto id : lost)
      fail(id, call_outcome::kind::lost, "connection to " + conn->peer() + " closed: " + why.message);
  }

  // On a dialer thread: connects, then sends what waited, or fails it.
  void dial(const std::shared_ptr<transport::transport>& t, const std::string& key, const std::string& address) {
    std::weak_ptr<state> weak = shared_from_this();
    transport::connection_handlers h;
    h.on_frame = [weak, key](const transport::connection_ptr& c, transport::frame&& f) {
      if (auto s = weak.lock()) s->on_frame(key, c, std::move(f));
    };
    h.on_close = [weak, key](const transport::connection_ptr& c, const transport::status& why) {
      if (auto s = weak.lock()) s->on_close(key, c, why);
    };
    auto dialed = t->dial(address, h);
    std::vector<transport::frame> queued;
    {
      std::lock_guard lock{mutex};
      auto& link = links[key];
      queued.swap(link.queued);
      if (dialed) {
        link.conn = dialed.value;
        for (auto& q : queued) link.outstanding.insert(q.id);
      } else {
        links.erase(key);
      }
    }
    for (auto& f : queued) {
      if (dialed)
        send(key, dialed.value, std::move(f));
      else
        fail(f.id, call_outcome::kind::not_delivered, dialed.st.message);
    }
  }
};

transport_client::transport_client(outcome_handler on_outcome, transport::transport_options options,
                                   std::shared_ptr<stream_frames_sink> streams)
  : state_{std::make_shared<state>()} {
  state_->on_outcome = std::move(on_outcome);
  state_->streams = std::move(streams);
  state_->options = std::move(options);
}

transport_client::~transport_client() = default;

bool transport_client::speaks(const std::string& transport) {
  for (auto& name : transport::transport_names())
    if (name == transport) return true;
  return false;
}

void transport_client::call(const std::string& transport_name, const std::string& address, uint64_t id,
                            const request& req) {
  std::string body;
  encode_request(req, body);
  submit(transport_name, address, id, transport::frame_kind::request, std::move(body));
}

void transport_client::open_stream(const std::string& transport_name, const std::string& address, uint64_t id,
                                   const request& open, uint32_t window, int64_t stream_timeout_ns) {
  std::string body;
  encode_stream_open(open, window, stream_timeout_ns, body);
  submit(transport_name, address, id, transport::frame_kind::stream_open, std::move(body));
}

void transport_client::submit(const std::string& transport_name, const std::string& address, uint64_t id,
                              transport::frame_kind kind, std::string body) {
  if (!speaks(transport_name)) {
    state_->fail(id, call_outcome::kind::not_delivered,
                 "the node at " + address + " takes calls over transport \"" + transport_name
                   + "\", which this client cannot speak (it speaks caf, tcp, memory)");
    return;
  }
  auto key = transport_name + " " + address;
  transport::connection_ptr conn;
  std::shared_ptr<transport::transport> to_dial;
  std::string cannot_make;  // why the transport could not be made (bad TLS files, say)
  std::set<uint64_t> lost;  // of a connection that closed and whose close is not processed yet
  std::string closed_peer;
  {
    std::lock_guard lock{state_->mutex};
    auto& link = state_->links[key];
    if (link.conn && !link.conn->is_open()) {
      // Closed (the peer's idle timeout, say): dial anew rather than fail this call on it.
      closed_peer = link.conn->peer();
      lost.swap(link.outstanding);
      link.conn.reset();
    }
    if (link.conn) {
      conn = link.conn;
      link.outstanding.insert(id);
    } else {
      bool dialing = !link.queued.empty();
      link.queued.push_back(transport::frame{kind, 0, id, std::move(body)});
      if (!dialing) {
        auto& t = state_->transports[transport_name];
        if (!t) {
          auto made = transport::make_transport(transport_name, state_->options);
          if (made)
            t = made.value;
          else
            cannot_make = made.st.message;
        }
        to_dial = t;
        if (!t) {
          state_->links.erase(key);  // nothing will dial: the call fails below
          state_->transports.erase(transport_name);
        }
      }
    }
  }
  for (auto lost_id : lost)
    state_->fail(lost_id, call_outcome::kind::lost, "connection to " + closed_peer + " closed");
  if (!cannot_make.empty()) {
    state_->fail(id, call_outcome::kind::not_delivered, "cannot call the node at " + address + ": " + cannot_make);
    return;
  }
  if (conn) {
    state_->send(key, conn, transport::frame{kind, 0, id, std::move(body)});
    return;
  }
  if (to_dial)
    std::thread{[s = state_, to_dial, key, address] { s->dial(to_dial, key, address); }}.detach();
}

}  // namespace micro::actors
