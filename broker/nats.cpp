// The NATS backend over libnats (the C client). See nats.hpp for the mapping and semantics.
//
// Threads: libnats reads the socket on its own thread, runs each subscription's callback on a
// delivery thread of that subscription (one per subscription, libnats' default), and runs the
// connection callbacks (disconnected, reconnected, closed, errors) on its async-callback thread.
// natsConnection is thread-safe, so publish and subscribe need no lock of ours.
#include "broker/nats.hpp"

#include <nats/nats.h>

#include <atomic>
#include <cstdint>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <mutex>
#include <thread>
#include <utility>

namespace micro::broker {

namespace {

const std::string kPrefix = "broker nats: ";

std::string quoted(const std::string& s) { return "\"" + s + "\""; }

bool is_hex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return c - 'A' + 10;
}

// libnats' own explanation of the last failure on this thread, when it has one beyond the
// status text.
std::string nats_error(natsStatus s) {
  std::string text = natsStatus_GetText(s);
  natsStatus last = NATS_OK;
  const char* raw = nats_GetLastError(&last);
  if (raw == nullptr || last != s) return text;
  std::string detail = raw;
  // "(conn.c:2088): No server available ..." -> "No server available ..."
  if (!detail.empty() && detail[0] == '(') {
    if (auto p = detail.find("): "); p != std::string::npos) detail = detail.substr(p + 3);
  }
  if (!detail.empty() && detail != text) text += ": " + detail;
  return text;
}

// "nats://user@host:port/..." -> "host:port" (for messages and the how-to-start hint).
std::string host_port(const std::string& url) {
  std::string rest = url;
  if (auto p = rest.find("://"); p != std::string::npos) rest = rest.substr(p + 3);
  if (auto p = rest.find(','); p != std::string::npos) rest = rest.substr(0, p);
  if (auto p = rest.rfind('@'); p != std::string::npos) rest = rest.substr(p + 1);
  if (auto p = rest.find('/'); p != std::string::npos) rest = rest.substr(0, p);
  return rest;
}

std::string start_hint(const std::string& url) {
  std::string hp = host_port(url);
  std::string host = hp, port = "4222";
  if (auto p = hp.rfind(':'); p != std::string::npos) {
    host = hp.substr(0, p);
    port = hp.substr(p + 1);
  }
  bool loopback = host == "127.0.0.1" || host == "localhost" || host.empty();
  std::string how = loopback ? "nats-server -a 127.0.0.1 -p " + port + ", or " +
                                   (port == "4222" ? std::string() : "NATS_PORT=" + port + " ") + "scripts/nats start"
                             : "nats-server -p " + port + " on " + host;
  return "start a server (" + how + "), or set MICRO_BROKER=actor to use micro's own actor broker, which "
         "needs no server";
}

// Closure of the connection callbacks. Held by the backend's state and, through a heap
// shared_ptr, by libnats until the closed callback (always the last connection callback libnats
// runs: it is posted after the connection's threads are joined) releases it.
struct conn_events {
  std::string url;
  std::chrono::milliseconds reconnect_wait{};
  std::atomic<bool> closing{false};  // we are closing it: say nothing
  std::mutex mu;
  bool down = false;  // logged as lost, not yet as back
  std::chrono::steady_clock::time_point last_slow_log{};
};

using events_ptr = std::shared_ptr<conn_events>;

void on_disconnected(natsConnection*, void* closure) {
  auto& ev = **static_cast<events_ptr*>(closure);
  if (ev.closing) return;
  std::lock_guard<std::mutex> lock(ev.mu);
  if (ev.down) return;  // once per loss, however many attempts fail
  ev.down = true;
  std::fprintf(stderr,
               "broker nats: lost the server at %s; reconnecting every %lld ms (publishes fail "
               "until it is back)\n",
               ev.url.c_str(), static_cast<long long>(ev.reconnect_wait.count()));
}

void on_reconnected(natsConnection*, void* closure) {
  auto& ev = **static_cast<events_ptr*>(closure);
  if (ev.closing) return;
  std::lock_guard<std::mutex> lock(ev.mu);
  if (!ev.down) return;
  ev.down = false;
  std::fprintf(stderr, "broker nats: reconnected to %s\n", ev.url.c_str());
}

void on_closed(natsConnection* nc, void* closure) {
  auto* holder = static_cast<events_ptr*>(closure);
  auto& ev = **holder;
  if (!ev.closing) {
    const char* last = nullptr;
    natsStatus s = natsConnection_GetLastError(nc, &last);
    std::fprintf(stderr, "broker nats: the connection to %s is closed (%s); publishes fail from now on\n",
                 ev.url.c_str(), (last != nullptr && *last != '\0') ? last : natsStatus_GetText(s));
  }
  delete holder;  // the last callback: libnats holds no more references to the closure
}

void on_error(natsConnection*, natsSubscription* sub, natsStatus err, void* closure) {
  auto& ev = **static_cast<events_ptr*>(closure);
  if (ev.closing) return;
  std::lock_guard<std::mutex> lock(ev.mu);
  auto now = std::chrono::steady_clock::now();
  if (err == NATS_SLOW_CONSUMER && sub != nullptr) {
    // libnats reports each episode once; a subscriber that stays slow still gets one line a
    // second at most.
    if (now - ev.last_slow_log < std::chrono::seconds(1)) return;
    ev.last_slow_log = now;
    int64_t dropped = 0;
    natsSubscription_GetDropped(sub, &dropped);
    const char* subject = natsSubscription_GetSubject(sub);
    std::fprintf(stderr,
                 "broker nats: a subscriber of \"%s\" is too slow: %lld messages dropped so far "
                 "(NATS delivers at most once; raise nats_options pending limits or speed up the "
                 "handler)\n",
                 subject != nullptr ? subject : "?", static_cast<long long>(dropped));
    return;
  }
  std::fprintf(stderr, "broker nats: %s: %s\n", ev.url.c_str(), natsStatus_GetText(err));
}

// One subscription's closure, shared by its callbacks and the subscription object.
struct sub_state {
  deliver_fn deliver;
  std::string topic;
  std::mutex mu;
  std::condition_variable cv;
  bool closed = false;    // unsubscribe() began: no deliver call starts after this
  bool complete = false;  // libnats' delivery thread is done with the subscription
  std::thread::id delivery_thread;
  bool logged_bad_headers = false;
  bool logged_throw = false;
  // Keeps this alive while libnats may still call on_message/on_complete (released by
  // on_complete), so the subscription object may go away first, even from inside deliver.
  std::shared_ptr<sub_state> self;
};

// Rebuilds a broker::message from a NATS message (and destroys it).
message to_message(natsMsg* msg, sub_state& st) {
  message out;
  const char* subject = natsMsg_GetSubject(msg);
  out.topic = subject != nullptr ? subject : st.topic;
  if (const char* data = natsMsg_GetData(msg); data != nullptr) {
    out.body.assign(data, static_cast<std::size_t>(natsMsg_GetDataLength(msg)));
  }
  const char** keys = nullptr;
  int count = 0;
  natsStatus s = natsMsgHeader_Keys(msg, &keys, &count);
  if (s == NATS_OK) {
    const std::string prefix = kMetaHeaderPrefix;
    for (int i = 0; i < count; ++i) {
      const char* value = nullptr;
      if (natsMsgHeader_Get(msg, keys[i], &value) != NATS_OK || value == nullptr) continue;
      std::string key = keys[i];
      if (key == kContentTypeHeader) {
        out.content_type = decode_header_text(value);
      } else if (key.compare(0, prefix.size(), prefix) == 0) {
        out.meta[decode_header_text(key.substr(prefix.size()))] = decode_header_text(value);
      } else {
        out.meta[key] = value;  // a non-micro publisher's header, as it is
      }
    }
    std::free(static_cast<void*>(keys));
  } else if (s != NATS_NOT_FOUND) {
    // Headers libnats cannot parse (a foreign publisher's empty value, say): the body is still
    // delivered, without metadata.
    std::lock_guard<std::mutex> lock(st.mu);
    if (!st.logged_bad_headers) {
      st.logged_bad_headers = true;
      std::fprintf(stderr, "broker nats: a message on \"%s\" has unreadable headers (%s); delivered without them\n",
                   out.topic.c_str(), natsStatus_GetText(s));
    }
  }
  natsMsg_Destroy(msg);
  return out;
}

void on_message(natsConnection*, natsSubscription*, natsMsg* msg, void* closure) {
  auto& st = *static_cast<sub_state*>(closure);
  {
    std::lock_guard<std::mutex> lock(st.mu);
    st.delivery_thread = std::this_thread::get_id();
    if (st.closed) {
      natsMsg_Destroy(msg);
      return;
    }
  }
  message m = to_message(msg, st);
  try {
    st.deliver(std::move(m));
  } catch (const std::exception& e) {
    std::lock_guard<std::mutex> lock(st.mu);
    if (!st.logged_throw) {
      st.logged_throw = true;
      std::fprintf(stderr, "broker nats: a subscriber of \"%s\" threw (%s); deliver_fn must not throw\n",
                   st.topic.c_str(), e.what());
    }
  } catch (...) {
    std::lock_guard<std::mutex> lock(st.mu);
    if (!st.logged_throw) {
      st.logged_throw = true;
      std::fprintf(stderr, "broker nats: a subscriber of \"%s\" threw; deliver_fn must not throw\n",
                   st.topic.c_str());
    }
  }
}

void on_complete(void* closure) {
  auto& st = *static_cast<sub_state*>(closure);
  std::shared_ptr<sub_state> keep;
  {
    std::lock_guard<std::mutex> lock(st.mu);
    st.complete = true;
    keep = std::move(st.self);
    st.cv.notify_all();
  }
  // `keep` may be the last reference: st is freed here, after its mutex is released.
}

status bad(const std::string& what) { return {errc::invalid_argument, kPrefix + what}; }

status check_queue(const std::string& queue) {
  if (queue.size() > kMaxQueueBytes) {
    return bad("queue group name of " + std::to_string(queue.size()) + " bytes is longer than " +
               std::to_string(kMaxQueueBytes));
  }
  for (unsigned char c : queue) {
    if (c <= 0x20 || c == 0x7f) return bad("queue group " + quoted(queue) + ": contains whitespace or a control character");
  }
  return {};
}

// Whether byte i of text must travel as %XX (encode_header_text says which).
bool must_escape(const std::string& text, std::size_t i, bool is_key) {
  auto c = static_cast<unsigned char>(text[i]);
  bool at_end = i == 0 || i + 1 == text.size();
  bool escape = c == '%' || c < 0x20 || c == 0x7f;
  if (is_key) return escape || c == ' ' || c == ':' || c >= 0x80;
  return escape || (at_end && (c == ' ' || c >= 0x80));
}

// Whether text travels as it is (the rule for every content type and trace id micro sends):
// then the publisher hands it to libnats without a copy.
bool travels_as_is(const std::string& text, bool is_key) {
  if (!is_key && text.empty()) return false;
  for (std::size_t i = 0; i < text.size(); ++i)
    if (must_escape(text, i, is_key)) return false;
  return true;
}

}  // namespace

std::string encode_header_text(const std::string& text, bool is_key) {
  if (!is_key && text.empty()) return "%";
  static const char* digits = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if (must_escape(text, i, is_key)) {
      out += '%';
      out += digits[c >> 4];
      out += digits[c & 0xf];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

std::string decode_header_text(const std::string& text) {
  if (text == "%") return {};
  if (text.find('%') == std::string::npos) return text;
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && is_hex(text[i + 1]) && is_hex(text[i + 2])) {
      out += static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2]));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

status check_subject(const std::string& subject, bool for_subscribe) {
  if (subject.empty()) return bad("empty topic");
  if (subject.size() > kMaxSubjectBytes) {
    return bad("topic of " + std::to_string(subject.size()) + " bytes is longer than " +
               std::to_string(kMaxSubjectBytes));
  }
  for (unsigned char c : subject) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') return bad("topic " + quoted(subject) + ": contains whitespace");
    if (c < 0x20 || c == 0x7f) return bad("topic " + quoted(subject) + ": contains a control character");
  }
  std::size_t start = 0;
  while (true) {
    std::size_t dot = subject.find('.', start);
    std::string token = subject.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (token.empty()) return bad("topic " + quoted(subject) + ": empty token (leading, trailing or double '.')");
    if (token == "*" || token == ">") {
      if (!for_subscribe) {
        return bad("topic " + quoted(subject) + ": a wildcard ('" + token + "') cannot be published to");
      }
      if (token == ">" && dot != std::string::npos) {
        return bad("topic " + quoted(subject) + ": '>' must be the last token");
      }
    }
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return {};
}

struct nats_backend::state {
  nats_options opts;
  natsConnection* nc = nullptr;
  events_ptr events;

  ~state() {
    if (nc == nullptr) return;
    events->closing = true;
    // Closes the socket and every subscription (their delivery threads end, on_complete runs),
    // then posts the closed callback.
    natsConnection_Destroy(nc);
  }

  // unavailable unless connected now: once the loss is known nothing goes into libnats'
  // reconnect buffer, to come out after a reconnect for a caller who was told "failed". (In the
  // instant before libnats notices a loss a message can still land there: then the flush fails
  // and says "may or may not".)
  status connected(const std::string& what) const {
    switch (natsConnection_Status(nc)) {
      case NATS_CONN_STATUS_CONNECTED:
        return {};
      case NATS_CONN_STATUS_CLOSED:
        return {errc::unavailable, kPrefix + what + ": the connection to " + opts.url + " is closed"};
      default:
        return {errc::unavailable, kPrefix + what + ": not connected to " + opts.url +
                                       " (the server is away; reconnecting); nothing was sent"};
    }
  }

  status send(const message& m) {
    if (m.body.size() > static_cast<std::size_t>(INT32_MAX)) {
      return {errc::invalid_argument, kPrefix + "publish to " + quoted(m.topic) + ": a body of " +
                                          std::to_string(m.body.size()) + " bytes is too large for NATS"};
    }
    natsMsg* msg = nullptr;
    natsStatus s = natsMsg_Create(&msg, m.topic.c_str(), nullptr, m.body.data(), static_cast<int>(m.body.size()));
    // Text that needs no escaping (the rule) goes to libnats as it is, without a copy.
    auto header_text = [](const std::string& text, bool is_key, std::string& scratch) -> const char* {
      if (travels_as_is(text, is_key)) return text.c_str();
      scratch = encode_header_text(text, is_key);
      return scratch.c_str();
    };
    std::string scratch, key;
    if (s == NATS_OK && !m.content_type.empty()) {
      s = natsMsgHeader_Set(msg, kContentTypeHeader, header_text(m.content_type, false, scratch));
    }
    for (auto it = m.meta.begin(); s == NATS_OK && it != m.meta.end(); ++it) {
      key.assign(kMetaHeaderPrefix);
      key += header_text(it->first, true, scratch);
      s = natsMsgHeader_Set(msg, key.c_str(), header_text(it->second, false, scratch));
    }
    if (s == NATS_OK) s = natsConnection_PublishMsg(nc, msg);
    natsMsg_Destroy(msg);
    if (s == NATS_OK) return {};
    std::string what = "publish to " + quoted(m.topic) + ": ";
    if (s == NATS_MAX_PAYLOAD) {
      return {errc::invalid_argument, kPrefix + what + "the message (" + std::to_string(m.body.size()) +
                                          " bytes of body plus headers) is larger than the server's limit of " +
                                          std::to_string(natsConnection_GetMaxPayload(nc)) + " bytes"};
    }
    return {errc::unavailable, kPrefix + what + nats_error(s)};
  }

  // One PING/PONG round trip: everything sent before it has reached the server.
  status flush(const std::string& what) {
    natsStatus s = natsConnection_FlushTimeout(nc, static_cast<int64_t>(opts.flush_timeout.count()));
    if (s == NATS_OK) return {};
    if (s == NATS_TIMEOUT) {
      return {errc::timeout, kPrefix + what + ": " + opts.url + " did not confirm within " +
                                 std::to_string(opts.flush_timeout.count()) + " ms (it may or may not have it)"};
    }
    return {errc::unavailable, kPrefix + what + ": lost " + opts.url + " before it confirmed (" + nats_error(s) +
                                   "; it may or may not have it)"};
  }
};

namespace {

// Unsubscribing: natsSubscription_Unsubscribe closes the subscription, but the delivery thread
// may be inside on_message, or about to enter it with a message it already took. libnats calls
// on_complete on that thread after its last on_message has returned (also when the connection
// closes), so unsubscribe() waits for on_complete: after that no callback can start. Our own
// `closed` flag additionally stops delivery at once for a message already taken. Called from
// inside deliver (on the delivery thread) it cannot wait for itself; it returns, and libnats'
// closed flag stops delivery as soon as deliver returns.
class nats_subscription final : public subscription {
 public:
  nats_subscription(std::shared_ptr<nats_backend::state> conn, std::shared_ptr<sub_state> st, natsSubscription* sub)
      : conn_(std::move(conn)), st_(std::move(st)), sub_(sub) {}

  ~nats_subscription() override {
    unsubscribe();
    natsSubscription_Destroy(sub_);
  }

  void unsubscribe() override {
    bool first = false;
    {
      std::lock_guard<std::mutex> lock(st_->mu);
      first = !st_->closed;
      st_->closed = true;
    }
    // Fails harmlessly when the connection is already closed (then so is the subscription).
    if (first) natsSubscription_Unsubscribe(sub_);
    std::unique_lock<std::mutex> lock(st_->mu);
    if (st_->delivery_thread == std::this_thread::get_id()) return;
    st_->cv.wait(lock, [&] { return st_->complete; });
  }

 private:
  std::shared_ptr<nats_backend::state> conn_;  // the connection outlives its subscriptions
  std::shared_ptr<sub_state> st_;
  natsSubscription* sub_;
};

// TLS as `tls` says (nothing when it names no CA). libnats checks the server's certificate
// against the CA and the host name of the URL.
status apply_tls(natsOptions* no, const tls_files& tls) {
  if (tls.ca.empty() && tls.cert.empty())
    return {};
  if (tls.ca.empty())
    return {errc::invalid_argument, kPrefix + "TLS needs a CA file to verify the server (MICRO_TLS_CA)"};
  natsStatus s = natsOptions_SetSecure(no, true);
  if (s == NATS_OK)
    s = natsOptions_LoadCATrustedCertificates(no, tls.ca.c_str());
  if (s != NATS_OK)
    return {errc::invalid_argument, kPrefix + "cannot load the CA " + quoted(tls.ca) + ": " + nats_error(s)};
  if (!tls.cert.empty()) {
    s = natsOptions_LoadCertificatesChain(no, tls.cert.c_str(), tls.key.c_str());
    if (s != NATS_OK)
      return {errc::invalid_argument,
              kPrefix + "cannot load the certificate " + quoted(tls.cert) + " and key " + quoted(tls.key) + ": " + nats_error(s)};
  }
  return {};
}

}  // namespace

result<std::shared_ptr<nats_backend>> nats_backend::connect(nats_options opts) {
  if (opts.url.empty()) opts.url = kDefaultNatsUrl;
  if (opts.url.find("://") == std::string::npos) opts.url = "nats://" + opts.url;
  auto st = std::make_shared<state>();
  st->opts = opts;
  st->events = std::make_shared<conn_events>();
  st->events->url = opts.url;
  st->events->reconnect_wait = opts.reconnect_wait;

  natsOptions* no = nullptr;
  natsStatus s = natsOptions_Create(&no);
  if (s != NATS_OK) return {{errc::unavailable, kPrefix + "cannot initialise libnats: " + nats_error(s)}, nullptr};
  auto* holder = new events_ptr(st->events);  // the callbacks' closure, freed by on_closed
  s = natsOptions_SetURL(no, opts.url.c_str());
  if (s != NATS_OK) {
    natsOptions_Destroy(no);
    delete holder;
    return {{errc::invalid_argument, kPrefix + "bad server address " + quoted(opts.url) + ": " + nats_error(s)},
            nullptr};
  }
  natsOptions_SetName(no, opts.name.c_str());
  natsOptions_SetTimeout(no, static_cast<int64_t>(opts.connect_timeout.count()));
  natsOptions_SetAllowReconnect(no, true);
  natsOptions_SetMaxReconnect(no, -1);  // forever: the server comes back, the service stays
  natsOptions_SetReconnectWait(no, static_cast<int64_t>(opts.reconnect_wait.count()));
  // A server that stops answering (frozen, not gone) is noticed after 2 missed pings.
  natsOptions_SetPingInterval(no, 5000);
  natsOptions_SetMaxPingsOut(no, 2);
  natsOptions_SetDisconnectedCB(no, on_disconnected, holder);
  natsOptions_SetReconnectedCB(no, on_reconnected, holder);
  natsOptions_SetClosedCB(no, on_closed, holder);
  natsOptions_SetErrorHandler(no, on_error, holder);
  if (auto tls = apply_tls(no, opts.tls); !tls.ok()) {
    natsOptions_Destroy(no);
    delete holder;
    return {tls, nullptr};
  }

  s = natsConnection_Connect(&st->nc, no);
  natsOptions_Destroy(no);
  if (s != NATS_OK) {
    st->nc = nullptr;
    delete holder;  // a failed first connect runs no callback
    if (s == NATS_INVALID_ARG) {
      return {{errc::invalid_argument, kPrefix + "bad server address " + quoted(opts.url) + ": " + nats_error(s)},
              nullptr};
    }
    std::string text = kPrefix + "cannot connect to " + opts.url + " (" + nats_error(s) + "): " + start_hint(opts.url);
    return {{errc::unavailable, text}, nullptr};
  }
  return {{}, std::shared_ptr<nats_backend>(new nats_backend(std::move(st)))};
}

nats_backend::nats_backend(std::shared_ptr<state> s) : state_(std::move(s)) {}

nats_backend::~nats_backend() {
  // The state (and the connection) lives on while subscriptions hold it; close the connection
  // now all the same, so that they stop delivering (natsConnection_Close is idempotent, and
  // natsConnection_Destroy in ~state still releases it).
  state_->events->closing = true;
  natsConnection_Close(state_->nc);
}

std::string nats_backend::name() const { return "nats"; }

const std::string& nats_backend::url() const noexcept { return state_->opts.url; }

status nats_backend::publish(const message& m) {
  if (auto st = check_subject(m.topic, false); !st) return st;
  std::string what = "publish to " + quoted(m.topic);
  if (auto st = state_->connected(what); !st) return st;
  if (auto st = state_->send(m); !st) return st;
  return state_->flush(what);
}

// Plain natsConnection_PublishMsg: libnats buffers it and its flusher thread writes it out.
status nats_backend::publish_async(const message& m) {
  if (auto st = check_subject(m.topic, false); !st) return st;
  if (auto st = state_->connected("publish to " + quoted(m.topic)); !st) return st;
  return state_->send(m);
}

status nats_backend::flush() { return state_->flush("flush"); }

status nats_backend::publish_batch(const std::vector<message>& batch) {
  // All or nothing for bad input: every topic is checked before the first is sent.
  for (std::size_t i = 0; i < batch.size(); ++i) {
    if (auto st = check_subject(batch[i].topic, false); !st) {
      st.message += " (message " + std::to_string(i) + " of a batch of " + std::to_string(batch.size()) +
                    "; nothing was sent)";
      return st;
    }
  }
  if (batch.empty()) return {};
  std::string what = "publish a batch of " + std::to_string(batch.size());
  if (auto st = state_->connected(what); !st) return st;
  for (std::size_t i = 0; i < batch.size(); ++i) {
    if (auto st = state_->send(batch[i]); !st) {
      st.message += " (message " + std::to_string(i) + " of a batch of " + std::to_string(batch.size()) +
                    (i == 0 ? "; nothing was sent)" : "; the ones before it may have been delivered)");
      return st;
    }
  }
  return state_->flush(what);
}

result<std::unique_ptr<subscription>> nats_backend::subscribe(const std::string& topic, const subscribe_options& opts,
                                                              deliver_fn deliver) {
  if (auto st = check_subject(topic, true); !st) return {st, nullptr};
  if (auto st = check_queue(opts.queue); !st) return {st, nullptr};
  if (!deliver) return {bad("subscribe to " + quoted(topic) + ": no deliver function"), nullptr};
  std::string what = "subscribe to " + quoted(topic) + (opts.queue.empty() ? "" : " in queue group " + quoted(opts.queue));
  if (auto st = state_->connected(what); !st) return {st, nullptr};

  auto ss = std::make_shared<sub_state>();
  ss->deliver = std::move(deliver);
  ss->topic = topic;
  ss->self = ss;
  natsSubscription* sub = nullptr;
  natsStatus s = opts.queue.empty()
                     ? natsConnection_Subscribe(&sub, state_->nc, topic.c_str(), on_message, ss.get())
                     : natsConnection_QueueSubscribe(&sub, state_->nc, topic.c_str(), opts.queue.c_str(), on_message,
                                                     ss.get());
  if (s != NATS_OK) {
    ss->self.reset();  // no subscription: no callback
    return {{errc::unavailable, kPrefix + what + ": " + nats_error(s)}, nullptr};
  }
  s = natsSubscription_SetOnCompleteCB(sub, on_complete, ss.get());
  if (s != NATS_OK) {
    // Closed already (the connection went down in between): its delivery thread may still be
    // in on_message, so ss stays alive (the self reference is never released: a small leak in a
    // rare failure, rather than a use after free).
    natsSubscription_Destroy(sub);
    return {{errc::unavailable, kPrefix + what + ": " + nats_error(s)}, nullptr};
  }
  natsSubscription_SetPendingLimits(sub, state_->opts.pending_msgs_limit, state_->opts.pending_bytes_limit);
  auto handle = std::make_unique<nats_subscription>(state_, ss, sub);
  // The server has the subscription when subscribe returns: a publish from any connection after
  // this reaches it.
  if (auto st = state_->flush(what); !st) return {st, nullptr};  // handle unsubscribes
  return {{}, std::move(handle)};
}

}  // namespace micro::broker
