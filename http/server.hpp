#pragma once
// micro::http::server: a small HTTP/1.1 server for the edge of a micro process (health probes,
// the `micro api` gateway, later metrics pages). Built on Boost.Beast over Asio: every
// connection is asynchronous, so 1,000 idle keep-alive connections or open event streams cost
// memory, not threads (why Beast, against cpp-httplib's thread per connection: README, HTTP).
//
// A handler runs on an I/O thread and must not block: it answers at once or hands the
// `responder` to another thread, which answers later (reply() or start_stream() may be called
// from any thread, exactly one of them once).

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace micro::http {

/// Case-insensitive header names.
struct header_less {
  bool operator()(const std::string& a, const std::string& b) const;
};
using headers = std::map<std::string, std::string, header_less>;

struct request {
  std::string method;  // "GET", "POST", ...
  std::string target;  // as sent: path and query
  std::string path;    // target without the query
  std::string query;   // after '?', without it
  http::headers headers;
  std::string body;
  std::string remote;  // "host:port" of the peer

  /// The header's value, if present.
  std::optional<std::string> header(const std::string& name) const;
};

struct response {
  int status = 200;
  std::string content_type = "application/json";
  http::headers headers;  // besides Content-Type and Content-Length
  std::string body;
};

/// The body of a response sent piece by piece (chunked), e.g. Server-Sent Events.
class event_sink {
 public:
  virtual ~event_sink() = default;
  /// Queues `data` for the peer; waits while more than the server's stream buffer is queued
  /// (a slow reader slows the writer). False once the peer is gone or the stream is closed.
  virtual bool send(std::string data) = 0;
  /// Ends the body; the connection may then carry the next request. Idempotent.
  virtual void close() = 0;
  /// False once the peer closed its connection (a writer loop checks it between messages).
  virtual bool open() const = 0;
  /// Called once, on an I/O thread, when the peer goes away before close() (must not block).
  virtual void on_peer_gone(std::function<void()> f) = 0;
};

/// Answers one request. Copyable; the first reply/start_stream wins, later ones are ignored.
/// Dropping every copy without answering answers 500.
class responder {
 public:
  struct state;
  explicit responder(std::shared_ptr<state> s) : state_(std::move(s)) {}
  void reply(response rsp) const;
  /// Sends `head` (status, content type, headers) and returns the sink for the body.
  std::shared_ptr<event_sink> start_stream(response head) const;

 private:
  std::shared_ptr<state> state_;
};

using handler = std::function<void(request&& req, const responder& out)>;

struct server_options {
  std::string address = "127.0.0.1:0";  // host:port; port 0: any free port
  std::size_t max_body = 1u << 20;      // larger request bodies: 413
  std::size_t max_connections = 10000;  // beyond: accepted and closed at once
  std::size_t max_in_flight = 1024;     // requests being handled at once; beyond: 503
  std::chrono::milliseconds read_timeout{30000};  // to read one request once it started
  std::chrono::milliseconds idle_timeout{75000};  // keep-alive connection without a request
  std::size_t stream_buffer = 1u << 20;  // bytes queued per event stream before send() waits
  std::size_t threads = 1;               // I/O threads
  std::string server_header = "micro";
};

/// What went wrong when starting (empty message: ok).
struct start_error {
  std::string message;
  bool invalid = false;  // the address itself is malformed (a 400), rather than not available (503)
};

class server {
 public:
  /// Binds, listens and starts the I/O threads; or says why it could not.
  static std::pair<std::unique_ptr<server>, start_error> start(server_options opts, handler h);
  ~server();  // stop()
  server(const server&) = delete;
  server& operator=(const server&) = delete;

  /// The bound "host:port" (the real port when 0 was asked for).
  std::string address() const;
  /// Stops accepting, closes every connection, joins the I/O threads. Idempotent.
  void stop();
  /// Connections open now, requests being handled now.
  std::size_t connections() const;
  std::size_t in_flight() const;

  struct impl;

 private:
  explicit server(std::unique_ptr<impl> p);
  std::unique_ptr<impl> impl_;
};

/// A reason phrase for `status` ("Not Found").
std::string reason(int status);

}  // namespace micro::http
