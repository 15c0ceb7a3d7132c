#include "actors/stream_endpoint.hpp"

#include <atomic>

#include "actors/atoms.hpp"
#include "actors/default_handler.hpp"
#include "actors/lazy_fifo.hpp"
#include "actors/stream_link.hpp"
#include "caf/all.hpp"

namespace micro::actors {

namespace {

// Local only: from the channel's hooks and the deadline timer, never across nodes.
using flush_atom = caf::atom_constant<caf::atom("m_sflush")>;
using grant_atom = caf::atom_constant<caf::atom("m_sgrant")>;
using deadline_atom = caf::atom_constant<caf::atom("m_sdead")>;

// How long a side that had the last word waits for its peer to go (see finish): longer than
// the heartbeat's connection timeout, after which a frozen peer is reported down anyway.
constexpr std::chrono::seconds linger_bound{30};

constexpr const char* stream_error_id = "micro.stream";

std::atomic<std::size_t> live_endpoints{0};

stream_end make_end(int32_t code, std::string detail) { return stream_end{code, stream_error_id, std::move(detail)}; }

enum class role { client, server };

struct endpoint_state {
  role side = role::client;
  std::shared_ptr<stream_channel> channel;
  caf::actor peer;        // unknown on the client side until the server's hello
  stream_link_ptr link;   // the peer's connection when it rides a byte transport (stream_link.hpp)
  bool greeted = false;   // the hello went out (server) or came in (client): data may flow
  bool done = false;      // the stream is over for this side (it may linger, see finish)
  // The actor API's listener (client side only), see stream_open_spec.
  caf::actor listener;
  uint64_t listener_stream = 0;
  bool told_end = false;
  uint64_t listener_allowance = 0;  // messages the server may still send (credit we gave)
  uint32_t listener_consumed = 0;   // answered since credit last went back
  // An asynchronous server endpoint's callbacks (server side only), see stream_callbacks.hpp.
  // The allowance and consumed count above serve them too.
  std::shared_ptr<stream_callbacks> callbacks;
  lazy_fifo<std::string> held;      // arrived while the callbacks paused reading
  bool half_close_held = false;     // the client's half-close, told after the held messages
  stream_end own_end;               // the end this side sent (the server's final status)
  static inline const char* name = "micro.stream";
};

using endpoint_self = caf::stateful_actor<endpoint_state>;

void tell(endpoint_self* self, stream_event::kind what, std::string body = {}, stream_end end = {}) {
  auto& st = self->state;
  self->send(st.listener, stream_event{st.listener_stream, what, std::move(body), end.code, std::move(end.error_id),
                                       std::move(end.detail)});
}

// This side is over. A side that sent the last word (a final status, a cancel) stays until its
// peer is gone: CAF may deliver this actor's down message to the peer before messages it sent
// just before quitting (seen: a final 409 reported as "server went away"), so it must not quit
// first. The peer quits once it has read that last word.
// Timers here are receive timeouts or request timeouts, never delayed_send: CAF's clock holds a
// delayed message's receiver (and its memory) until it is due, while an actor's own timeouts go
// when it quits (measured: ~900 bytes per ended stream held for the timer's whole length).
void finish(endpoint_self* self, bool sent_last_word) {
  auto& st = self->state;
  st.done = true;
  if (st.listener && !st.told_end) {
    st.told_end = true;
    tell(self, stream_event::kind::closed, {}, st.channel->final_status());
  }
  if (auto callbacks = std::move(st.callbacks)) {  // dropped here: they may hold the stream's handle
    auto final_status = st.channel->ended() ? st.channel->final_status() : st.own_end;
    if (callbacks->on_end) {
      try {
        callbacks->on_end(final_status);
      } catch (...) {  // the stream is over either way; nothing to tell anyone
      }
    }
    // The user's handle shares them: break handle -> lambda -> handle.
    callbacks->on_message = nullptr;
    callbacks->on_half_close = nullptr;
    callbacks->on_writable = nullptr;
    callbacks->on_end = nullptr;
    st.held.clear();
  }
  if (!sent_last_word || !st.peer) {
    self->quit();
    return;
  }
  self->become(caf::behavior{
    [self](stream_end&) { self->quit(); },  // the peer's own last word crossed ours
    caf::after(linger_bound) >> [self] { self->quit(); },
  });
}

// To the peer: through the link when there is one, else as a message to the peer's actor.
void send_credit(endpoint_self* self, uint32_t n) {
  auto& st = self->state;
  if (st.link)
    st.link->credit(n);
  else
    self->send(st.peer, stream_credit_atom::value, n);
}

void send_end(endpoint_self* self, const stream_end& end) {
  auto& st = self->state;
  if (st.link)
    st.link->end(end);
  else
    self->send(st.peer, end);
}

void fail(endpoint_self* self, stream_end why);

// Sends what the user queued (in one batch) and this side's end if it came; the server's side
// is done once its final status is out, the client's once the server's end arrives (or on
// its own cancel).
void deliver_held(endpoint_self* self);

void flush(endpoint_self* self) {
  auto& st = self->state;
  if (!st.greeted || st.done)
    return;  // nothing may overtake the hello; the hello flushes what waited for it
  if (st.callbacks && !st.held.empty())
    deliver_held(self);  // woken because the callbacks resumed reading
  if (st.done)
    return;
  auto out = st.channel->take_outgoing();
  if (!out.items.empty()) {
    if (!st.link) {
      self->send(st.peer, stream_frames{std::move(out.items)});
    } else if (auto too_large = st.link->data(out.items)) {
      fail(self, std::move(*too_large));
      return;
    }
  }
  if (!out.end)
    return;
  auto code = out.end->code;
  st.own_end = *out.end;
  send_end(self, *out.end);
  if (st.side == role::server || code != 0)
    finish(self, true);
}

// The stream failed here (deadline, protocol error): the user hears it, the peer is told.
void fail(endpoint_self* self, stream_end why) {
  auto& st = self->state;
  if (st.peer)
    send_end(self, why);
  st.channel->abort(std::move(why));
  finish(self, true);
}

// The channel's hooks into this actor. With a link, a side that only reads writes its credit from
// the reading thread straight to the connection (no wake-up of this actor per half window); one
// that also sends leaves it to this actor, which is awake for its messages anyway and writes the
// credit beside them (from the reading thread it cost a bidirectional stream a third of its
// messages/s, measured: bench-stream-client echo).
void install_hooks(endpoint_self* self) {
  auto& st = self->state;
  // The hooks hold a weak address: the channel outlives this actor in the user's hands, and a
  // strong handle there would keep the actor's memory alive with it (and the link its connection).
  caf::actor_addr me = self->address();
  auto wake = [me] {
    if (auto a = caf::actor_cast<caf::actor>(me))
      caf::anon_send(a, flush_atom::value);
  };
  auto via_actor = [me](uint32_t n) {
    if (auto a = caf::actor_cast<caf::actor>(me))
      caf::anon_send(a, grant_atom::value, n);
  };
  if (!st.link) {
    st.channel->set_hooks(std::move(wake), std::move(via_actor));
    return;
  }
  // The channel owns the hook and calls it itself: the raw pointer is alive whenever it runs.
  st.channel->set_hooks(std::move(wake), [link = std::weak_ptr<stream_link>{st.link}, via_actor,
                                          channel = st.channel.get()](uint32_t n) {
    auto l = link.lock();
    if (l && !channel->has_sent())
      l->credit(n);
    else
      via_actor(n);
  });
}

void set_up(endpoint_self* self, role side, std::shared_ptr<stream_channel> channel, int64_t stream_timeout_ns) {
  install_default_handler(self);
  ++live_endpoints;
  auto& st = self->state;
  st.side = side;
  st.channel = std::move(channel);
  install_hooks(self);
  self->attach_functor([channel = st.channel](const caf::error&) {
    --live_endpoints;
    // Whatever ended the actor (system shutdown included), the user never waits on a dead one.
    channel->abort(make_end(503, "the stream's endpoint stopped"));
  });
  self->set_down_handler([self](caf::down_msg& msg) {
    auto& st = self->state;
    if (st.listener && msg.source == st.listener.address()) {
      st.channel->cancel(make_end(499, "the actor that opened the stream went away"));  // flushed as usual
      return;
    }
    if (!st.peer || msg.source != st.peer.address())
      return;
    if (!st.done)
      st.channel->abort(make_end(503, std::string{"the stream's "} + (st.side == role::client ? "server" : "client")
                                        + " went away (" + self->system().render(msg.reason) + ")"));
    finish(self, false);
  });
  if (stream_timeout_ns > 0) {
    // A request to itself that is never answered: its timeout is the stream's deadline.
    self->request(caf::actor_cast<caf::actor>(self), std::chrono::nanoseconds{stream_timeout_ns}, deadline_atom::value)
      .then([] {}, [self](caf::error&) {
        if (!self->state.done)
          fail(self, make_end(408, "the stream's deadline expired"));
      });
  }
}

// Runs one of the user's stream callbacks; one that throws fails the stream with 500.
template <class F>
bool run_callback(endpoint_self* self, F&& f) {
  try {
    f();
    return true;
  } catch (const std::exception& e) {
    fail(self, make_end(500, std::string{"the stream's callback failed: "} + e.what()));
  } catch (...) {
    fail(self, make_end(500, "the stream's callback threw a non-standard exception"));
  }
  return false;
}

void add_credit(endpoint_self* self, uint32_t n) {
  auto& st = self->state;
  st.channel->add_credit(n);
  if (st.listener && st.channel->take_want_writable())
    tell(self, stream_event::kind::writable);
  if (st.callbacks && st.channel->take_want_writable() && st.callbacks->on_writable)
    run_callback(self, [&] { st.callbacks->on_writable(); });
}

// An asynchronous server endpoint: each message goes to on_message here, and its credit goes
// back (every half window) once the callback returned. While the callbacks pause reading,
// messages wait in `held` (never more than the client's credit allows) and no credit goes back.
void deliver_held(endpoint_self* self) {
  auto& st = self->state;
  auto half = std::max<uint32_t>(1, st.channel->recv_window() / 2);
  while (!st.held.empty() && st.callbacks && !st.done && !st.callbacks->paused.load()) {
    auto item = std::move(st.held.front());
    st.held.pop_front();
    if (st.callbacks->on_message && !run_callback(self, [&] { st.callbacks->on_message(std::move(item)); }))
      return;  // the callback failed the stream
    if (++st.listener_consumed >= half) {
      st.listener_allowance += st.listener_consumed;
      send_credit(self, st.listener_consumed);
      st.listener_consumed = 0;
    }
  }
  if (st.held.empty() && st.half_close_held && st.callbacks && !st.done) {
    st.half_close_held = false;
    if (st.callbacks->on_half_close)
      run_callback(self, [&] { st.callbacks->on_half_close(); });
  }
}

bool deliver_to_callbacks(endpoint_self* self, std::vector<std::string>& items) {
  auto& st = self->state;
  if (items.size() > st.listener_allowance)
    return false;
  st.listener_allowance -= items.size();
  for (auto& item : items)
    st.held.push_back(std::move(item));
  deliver_held(self);
  return true;
}

// The actor API: each message goes to the listener as a request; its answer is the read that
// gives credit back (every half window), so a slow listener slows the server down.
bool deliver_to_listener(endpoint_self* self, std::vector<std::string>& items) {
  auto& st = self->state;
  if (st.done)
    return true;
  if (items.size() > st.listener_allowance)
    return false;
  st.listener_allowance -= items.size();
  for (auto& item : items) {
    self->request(st.listener, caf::infinite,
                  stream_event{st.listener_stream, stream_event::kind::message, std::move(item), 0, {}, {}})
      .then(
        [self] {
          auto& st = self->state;
          auto half = std::max<uint32_t>(1, st.channel->recv_window() / 2);
          if (st.done || ++st.listener_consumed < half)
            return;
          st.listener_allowance += st.listener_consumed;
          send_credit(self, st.listener_consumed);
          st.listener_consumed = 0;
        },
        [self](caf::error& err) {
          if (!self->state.done)
            fail(self, make_end(500, "the actor reading the stream failed: " + self->system().render(err)));
        });
  }
  return true;
}

caf::behavior common(endpoint_self* self, caf::message_handler specific) {
  return specific.or_else(caf::message_handler{
    [self](stream_frames& frames) {
      auto& st = self->state;
      if (st.done)
        return;  // late messages after this side's end: nobody reads them
      bool within_credit = st.callbacks  ? deliver_to_callbacks(self, frames.items)
                           : st.listener ? deliver_to_listener(self, frames.items)
                                         : st.channel->deliver(std::move(frames.items));
      if (!within_credit)
        fail(self, make_end(400, "the peer sent more messages than its credit allowed"));
    },
    [self](stream_credit_atom, uint32_t n) { add_credit(self, n); },
    [self](stream_overrun_atom) {
      if (!self->state.done)
        fail(self, make_end(400, "the peer sent more messages than its credit allowed"));
    },
    [self](flush_atom) { flush(self); },
    [self](grant_atom, uint32_t n) {
      if (self->state.peer && !self->state.done)
        send_credit(self, n);
    },
    [self](deadline_atom) { return self->make_response_promise(); },  // left pending: see set_up
  });
}

// The server's hello (over a byte transport with the link its frames go through).
void client_hello(endpoint_self* self, uint32_t credit, stream_link_ptr link) {
  auto& st = self->state;
  auto sender = caf::actor_cast<caf::actor>(self->current_sender());
  if (st.peer || st.done) {
    // A late answer to an open attempt that was retried elsewhere: that server stops.
    if (sender && sender != st.peer)
      self->send(sender, make_end(409, "this stream is served by another node"));
    return;
  }
  st.peer = sender;
  st.greeted = true;
  if (link) {
    st.link = std::move(link);
    install_hooks(self);
    if (!st.listener)  // the server's credit goes straight into the channel (its data: see deliver_into)
      st.link->deliver_into(st.channel, false);
  }
  self->monitor(st.peer);
  add_credit(self, credit);
  flush(self);  // a close_send or cancel may have come before the hello
}

caf::behavior client_stream(endpoint_self* self, std::shared_ptr<stream_channel> channel, stream_open_spec spec) {
  set_up(self, role::client, std::move(channel), spec.stream_timeout_ns);
  auto window = self->state.channel->recv_window();
  if (spec.listener) {
    self->state.listener = std::move(spec.listener);
    self->state.listener_stream = spec.listener_stream;
    self->state.listener_allowance = window;
    self->monitor(self->state.listener);
  }
  if (self->state.channel->ended()) {  // cancelled before it could open (actor API)
    finish(self, false);
    return {};
  }
  // The client actor bounds every attempt by the open's timeout; the margin lets it say why.
  auto bound = std::chrono::nanoseconds{spec.open.timeout_ns} + std::chrono::seconds{2};
  self->request(spec.client_actor, bound, stream_open_atom::value, std::move(spec.plan), std::move(spec.open), window,
                spec.stream_timeout_ns, caf::actor_cast<caf::actor>(self))
    .then(
      [self](response& rsp) {
        auto& st = self->state;
        if (st.done)
          return;
        if (rsp.code != 0) {
          fail(self, stream_end{rsp.code, rsp.error_id, rsp.detail});  // tells a server that said hello
          return;
        }
        if (!st.peer) {
          fail(self, make_end(500, "the stream was accepted without a hello from the server"));
          return;
        }
        st.channel->opened();
        if (st.listener)
          tell(self, stream_event::kind::opened);
      },
      [self](caf::error& err) {
        if (!self->state.done)
          fail(self, make_end(500, "opening the stream failed: " + self->system().render(err)));
      });
  return common(self, caf::message_handler{
    [self](stream_hello_atom, uint32_t credit) { client_hello(self, credit, nullptr); },
    [self](stream_hello_atom, uint32_t credit, stream_link_ptr& link) { client_hello(self, credit, std::move(link)); },
    [self](stream_end& end) {
      // The server's final status: what arrived before it stays readable. (While lingering
      // after a cancel, the server's own last word ends the wait.)
      if (!self->state.done)
        self->state.channel->peer_finished(std::move(end));
      finish(self, false);
    },
  });
}

caf::behavior server_stream(endpoint_self* self, std::shared_ptr<stream_channel> channel, caf::actor peer,
                            uint32_t credit, int64_t stream_timeout_ns, std::shared_ptr<stream_callbacks> callbacks) {
  set_up(self, role::server, std::move(channel), stream_timeout_ns);
  if (callbacks) {
    self->state.callbacks = std::move(callbacks);
    self->state.listener_allowance = self->state.channel->recv_window();
  }
  self->state.peer = std::move(peer);
  self->state.link = stream_link_of(self->state.peer);  // a proxy of a byte transport's stream
  if (self->state.link)
    install_hooks(self);
  self->monitor(self->state.peer);
  self->state.channel->add_credit(credit);  // 0 when the service actor gave it already
  return common(self, caf::message_handler{
    [self](stream_open_atom) -> caf::result<response> {
      // The handler runs already and may have queued messages (even its end): they wait for
      // the hello, which must reach the client first.
      auto rp = self->make_response_promise<response>();
      auto& st = self->state;
      self->send(st.peer, stream_hello_atom::value, st.channel->recv_window());
      if (st.link) {  // the proxy (told just now) writes nothing of the stream from here on: we do
        if (!st.callbacks)  // before any data can come: nothing overtakes what is in the mailbox
          st.link->deliver_into(st.channel, true);
        st.link->hello(caf::actor_cast<caf::actor>(self), st.channel->recv_window());
      }
      st.greeted = true;
      rp.deliver(response{});
      flush(self);
      return rp;
    },
    [self](stream_end& end) {
      auto& st = self->state;
      if (end.code == 0 && !st.done) {
        st.channel->peer_closed();  // half-close: the handler may still answer
        if (st.callbacks) {  // after every message that came before it
          st.half_close_held = true;
          deliver_held(self);
        }
        return;
      }
      if (!self->state.done)
        self->state.channel->abort(std::move(end));  // cancelled by the client
      finish(self, false);
    },
  });
}

}  // namespace

caf::actor spawn_client_stream(caf::actor_system& sys, std::shared_ptr<stream_channel> channel,
                               stream_open_spec spec) {
  return sys.spawn(client_stream, std::move(channel), std::move(spec));
}

caf::actor spawn_server_stream(caf::actor_system& sys, std::shared_ptr<stream_channel> channel, caf::actor peer,
                               uint32_t credit, int64_t stream_timeout_ns, std::shared_ptr<stream_callbacks> callbacks) {
  return sys.spawn(server_stream, std::move(channel), std::move(peer), credit, stream_timeout_ns, std::move(callbacks));
}

std::size_t live_stream_endpoints() noexcept { return live_endpoints.load(); }

}  // namespace micro::actors
