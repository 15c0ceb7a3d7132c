#include "actors/transport_client.hpp"

#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <unordered_map>
#include <vector>

#include "actors/stream_wire_body.hpp"
#include "actors/wire_body.hpp"
#include "transport/transport.hpp"

namespace micro::actors {

namespace {

using publication_handlers = std::unordered_map<uint64_t, transport_client::publication_handler>;

struct node_link {
  transport::connection_ptr conn;                  // null while dialing
  bool dialing = false;                            // a dialer thread is under way
  std::vector<transport::frame> queued;            // requests, stream opens, publications waiting for the dial
  std::set<uint64_t> outstanding;                  // sent, awaiting a response
  publication_handlers publications;               // batches sent or queued, awaiting their ack
  std::vector<transport_client::connect_handler> connecting;  // connect() calls waiting for the dial
};

bool takes_publications(const transport::connection_ptr& conn) {
  return (conn->peer_flags() & transport::hello_takes_publications) != 0;
}

std::string no_publications(const std::string& peer) {
  return "the node at " + peer + " does not take publications over the transport (an older micro)";
}

void fail_publications(publication_handlers& handlers, publication_outcome::kind what, const std::string& why) {
  for (auto& [id, done] : handlers) {
    publication_outcome o;
    o.what = what;
    o.why = why;
    done(std::move(o));
  }
  handlers.clear();
}

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

  // The handler of publication `id` on link `key`, taken out (null: answered or given up already).
  publication_handler take_publication(const std::string& key, uint64_t id) {
    std::lock_guard lock{mutex};
    auto it = links.find(key);
    if (it == links.end())
      return nullptr;
    auto p = it->second.publications.find(id);
    if (p == it->second.publications.end())
      return nullptr;
    auto done = std::move(p->second);
    it->second.publications.erase(p);
    return done;
  }

  // Sends on an established link, or reports why it cannot. Called without the lock.
  void send(const std::string& key, const transport::connection_ptr& conn, transport::frame f) {
    auto id = f.id;
    auto kind = f.kind;
    auto st = conn->send(std::move(f));
    if (st)
      return;
    if (kind == transport::frame_kind::publication) {
      if (auto done = take_publication(key, id)) {
        publication_outcome o;
        o.what = publication_outcome::kind::not_delivered;
        o.why = "cannot send to " + conn->peer() + ": " + st.message;
        done(std::move(o));
      }
      return;
    }
    {
      std::lock_guard lock{mutex};
      if (auto it = links.find(key); it != links.end()) it->second.outstanding.erase(id);
    }
    fail(id, call_outcome::kind::not_delivered, "cannot send to " + conn->peer() + ": " + st.message);
  }

  void on_frame(const std::string& key, const transport::connection_ptr& conn, transport::frame&& f) {
    if (f.kind == transport::frame_kind::publish_ack) {
      auto done = take_publication(key, f.id);
      if (!done)
        return;  // a late ack: its batch was given up (timed out, or failed by a close)
      publication_outcome o;
      o.ack = std::move(f.body);
      done(std::move(o));
      return;
    }
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
    publication_handlers lost_publications;
    {
      std::lock_guard lock{mutex};
      auto it = links.find(key);
      if (it == links.end() || it->second.conn != conn)
        return;
      lost.swap(it->second.outstanding);
      lost_publications.swap(it->second.publications);
      links.erase(it);
    }
    for (auto id : lost)
      fail(id, call_outcome::kind::lost, "connection to " + conn->peer() + " closed: " + why.message);
    fail_publications(lost_publications, publication_outcome::kind::lost,
                      "connection to " + conn->peer() + " closed: " + why.message);
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
    std::vector<connect_handler> connecting;
    publication_handlers refused;  // the dial failed, or the node does not take publications
    bool takes = false;
    {
      std::lock_guard lock{mutex};
      auto& link = links[key];
      link.dialing = false;
      queued.swap(link.queued);
      connecting.swap(link.connecting);
      if (dialed) {
        link.conn = dialed.value;
        takes = takes_publications(dialed.value);
        for (auto& q : queued) {
          if (q.kind != transport::frame_kind::publication)
            link.outstanding.insert(q.id);
          else if (!takes)
            if (auto p = link.publications.find(q.id); p != link.publications.end()) {
              refused.emplace(q.id, std::move(p->second));
              link.publications.erase(p);
            }
        }
      } else {
        refused.swap(link.publications);
        links.erase(key);
      }
    }
    for (auto& f : queued) {
      if (f.kind == transport::frame_kind::publication) {
        if (dialed && takes)
          send(key, dialed.value, std::move(f));
        continue;  // else: in `refused`
      }
      if (dialed)
        send(key, dialed.value, std::move(f));
      else
        fail(f.id, call_outcome::kind::not_delivered, dialed.st.message);
    }
    fail_publications(refused, publication_outcome::kind::not_delivered,
                      dialed ? no_publications(dialed.value->peer()) : dialed.st.message);
    for (auto& done : connecting)
      done(dialed.st, takes);
  }

  // Under the lock: a link whose connection closed (the peer's idle timeout, say) is dialed anew
  // rather than used; what was in flight on it is handed to the caller to fail.
  static void drop_if_closed(node_link& link, std::set<uint64_t>& lost, publication_handlers& lost_publications,
                             std::string& closed_peer) {
    if (!link.conn || link.conn->is_open())
      return;
    closed_peer = link.conn->peer();
    lost.swap(link.outstanding);
    lost_publications.swap(link.publications);
    link.conn.reset();
  }

  // Under the lock: starts dialing `link` unless a dial is under way. The transport to dial with,
  // or null with `cannot_make` saying why there is none (then the link is gone).
  std::shared_ptr<transport::transport> start_dial(node_link& link, const std::string& transport_name,
                                                   const std::string& key, std::string& cannot_make) {
    if (link.dialing)
      return nullptr;
    auto& t = transports[transport_name];
    if (!t) {
      auto made = transport::make_transport(transport_name, options);
      if (made)
        t = made.value;
      else
        cannot_make = made.st.message;
    }
    if (!t) {
      links.erase(key);  // nothing will dial: what waited fails
      transports.erase(transport_name);
      return nullptr;
    }
    link.dialing = true;
    return t;
  }

  void fail_lost(const std::set<uint64_t>& lost, publication_handlers& lost_publications, const std::string& peer) {
    for (auto lost_id : lost)
      fail(lost_id, call_outcome::kind::lost, "connection to " + peer + " closed");
    fail_publications(lost_publications, publication_outcome::kind::lost, "connection to " + peer + " closed");
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

void transport_client::publish(const std::string& transport_name, const std::string& address, uint64_t id,
                               std::string batch, publication_handler done) {
  submit(transport_name, address, id, transport::frame_kind::publication, std::move(batch), std::move(done));
}

void transport_client::connect(const std::string& transport_name, const std::string& address, connect_handler done) {
  if (!speaks(transport_name)) {
    done(transport::status::error(transport::errc::unknown_transport,
                                  "the node at " + address + " serves over transport \"" + transport_name
                                    + "\", which this client cannot speak"),
         false);
    return;
  }
  auto key = transport_name + " " + address;
  transport::connection_ptr conn;
  std::shared_ptr<transport::transport> to_dial;
  std::string cannot_make;
  std::set<uint64_t> lost;
  publication_handlers lost_publications;
  std::string closed_peer;
  {
    std::lock_guard lock{state_->mutex};
    auto& link = state_->links[key];
    state::drop_if_closed(link, lost, lost_publications, closed_peer);
    if (link.conn) {
      conn = link.conn;
    } else {
      link.connecting.push_back(done);
      to_dial = state_->start_dial(link, transport_name, key, cannot_make);
    }
  }
  state_->fail_lost(lost, lost_publications, closed_peer);
  if (conn) {
    done(transport::status{}, takes_publications(conn));
    return;
  }
  if (!cannot_make.empty()) {
    done(transport::status::error(transport::errc::unknown_transport, "cannot reach the node at " + address + ": " + cannot_make),
         false);
    return;
  }
  if (to_dial)
    std::thread{[s = state_, to_dial, key, address] { s->dial(to_dial, key, address); }}.detach();
}

void transport_client::submit(const std::string& transport_name, const std::string& address, uint64_t id,
                              transport::frame_kind kind, std::string body, publication_handler published) {
  const bool publication = kind == transport::frame_kind::publication;
  auto not_delivered = [&](const std::string& why) {
    if (publication) {
      publication_outcome o;
      o.what = publication_outcome::kind::not_delivered;
      o.why = why;
      published(std::move(o));
    } else {
      state_->fail(id, call_outcome::kind::not_delivered, why);
    }
  };
  if (!speaks(transport_name)) {
    not_delivered("the node at " + address + " takes calls over transport \"" + transport_name
                  + "\", which this client cannot speak (it speaks caf, tcp, memory)");
    return;
  }
  auto key = transport_name + " " + address;
  transport::connection_ptr conn;
  std::shared_ptr<transport::transport> to_dial;
  std::string cannot_make;  // why the transport could not be made (bad TLS files, say)
  std::set<uint64_t> lost;  // of a connection that closed and whose close is not processed yet
  publication_handlers lost_publications;
  std::string closed_peer;
  bool refused = false;     // a publication for a node that does not take them
  {
    std::lock_guard lock{state_->mutex};
    auto& link = state_->links[key];
    state::drop_if_closed(link, lost, lost_publications, closed_peer);
    if (link.conn) {
      conn = link.conn;
      if (!publication)
        link.outstanding.insert(id);
      else if (!(refused = !takes_publications(conn)))
        link.publications[id] = std::move(published);
    } else {
      link.queued.push_back(transport::frame{kind, 0, id, std::move(body)});
      bool dialing = link.dialing || (to_dial = state_->start_dial(link, transport_name, key, cannot_make));
      if (dialing && publication)  // (else the link is gone, and so is the frame: failed below)
        link.publications[id] = std::move(published);
    }
  }
  state_->fail_lost(lost, lost_publications, closed_peer);
  if (!cannot_make.empty()) {
    not_delivered("cannot call the node at " + address + ": " + cannot_make);
    return;
  }
  if (refused) {
    not_delivered(no_publications(conn->peer()));
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
