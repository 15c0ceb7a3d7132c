#pragma once
// Private to micro::http (Beast inside): the shared core of a server and one connection.

#include <array>
#include <atomic>
#include <optional>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "http/server.hpp"

namespace micro::http::detail {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;

class session;

/// What every connection shares; kept alive by the connections, so an answer that arrives
/// after stop() still finds a (closed) socket rather than freed memory.
struct core {
  server_options opts;
  handler on_request;
  net::io_context ioc;
  std::atomic<std::size_t> connections{0};
  std::atomic<std::size_t> in_flight{0};
  std::atomic<bool> stopping{false};
  std::mutex sessions_mutex;
  std::set<std::weak_ptr<session>, std::owner_less<std::weak_ptr<session>>> sessions;
};

class stream_sink;

class session : public std::enable_shared_from_this<session> {
 public:
  session(tcp::socket&& socket, std::shared_ptr<core> c);
  ~session();
  void start();
  /// Closes the socket (on the connection's strand).
  void close();

  // Called by responders, from any thread.
  void send_response(response rsp, bool keep_alive);
  std::shared_ptr<event_sink> start_stream(response head);

  net::any_io_executor executor() { return stream_.get_executor(); }
  // Called by the stream sink, on the strand.
  void write_stream_data(std::string data, bool last);

 private:
  void read_header();
  void read_body();
  void on_request();
  void reply_now(response rsp, bool keep_alive);  // on the strand
  void fail_request(int code, const std::string& detail);
  void linger_then_close();  // after an error answer: read what the peer still sends, briefly
  void watch_peer();  // while streaming: a read that ends when the peer goes away
  void write_next();

  std::shared_ptr<core> core_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::string remote_;
  // Streaming: chunks queued for the socket, written one after another.
  std::deque<std::pair<std::string, bool>> out_;  // data, last
  bool writing_ = false;
  std::shared_ptr<stream_sink> sink_;
  std::array<char, 512> discard_{};
};

class stream_sink : public event_sink, public std::enable_shared_from_this<stream_sink> {
 public:
  stream_sink(std::shared_ptr<session> s, std::size_t limit) : session_(std::move(s)), limit_(limit) {}
  bool send(std::string data) override;
  void close() override;
  bool open() const override;
  void on_peer_gone(std::function<void()> f) override;

  // From the session, on the strand.
  void written(std::size_t n);
  void peer_gone();

 private:
  std::shared_ptr<session> session_;
  const std::size_t limit_;
  mutable std::mutex mutex_;
  std::condition_variable room_;
  std::size_t queued_ = 0;
  bool open_ = true;
  bool closed_ = false;
  std::function<void()> gone_;
};

}  // namespace micro::http::detail

namespace micro::http {

struct responder::state {
  std::shared_ptr<detail::session> session;
  bool keep_alive = true;
  std::atomic<bool> answered{false};
  std::shared_ptr<detail::core> core;
  ~state();
  bool take();  // true once: the first answer
};

}  // namespace micro::http
