#include "http/session.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>

#include "http/errors.hpp"

namespace micro::http {

bool header_less::operator()(const std::string& a, const std::string& b) const {
  return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) < std::tolower(static_cast<unsigned char>(y));
  });
}

std::optional<std::string> request::header(const std::string& name) const {
  auto it = headers.find(name);
  if (it == headers.end())
    return std::nullopt;
  return it->second;
}

std::string reason(int status) {
  auto text = detail::bhttp::obsolete_reason(static_cast<detail::bhttp::status>(status));
  return text.empty() ? "Unknown" : std::string{text};
}

responder::state::~state() {
  if (take())  // nobody answered: a handler lost the responder
    session->send_response(error_response(500, "micro.http", "the request was dropped without an answer"), keep_alive);
}

bool responder::state::take() {
  if (answered.exchange(true))
    return false;
  core->in_flight.fetch_sub(1);
  return true;
}

void responder::reply(response rsp) const {
  if (state_->take())
    state_->session->send_response(std::move(rsp), state_->keep_alive);
}

std::shared_ptr<event_sink> responder::start_stream(response head) const {
  if (!state_->take())
    return nullptr;
  return state_->session->start_stream(std::move(head));
}

namespace detail {

session::session(tcp::socket&& socket, std::shared_ptr<core> c) : core_(std::move(c)), stream_(std::move(socket)) {
  core_->connections.fetch_add(1);
  beast::error_code ec;
  auto ep = stream_.socket().remote_endpoint(ec);
  if (!ec)
    remote_ = ep.address().to_string() + ":" + std::to_string(ep.port());
}

session::~session() { core_->connections.fetch_sub(1); }

void session::start() {
  net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->read_header(); });
}

void session::close() {
  net::post(stream_.get_executor(), [self = shared_from_this()] {
    beast::error_code ec;
    self->stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    self->stream_.close();
    if (auto sink = std::move(self->sink_))
      sink->peer_gone();
  });
}

void session::read_header() {
  if (core_->stopping)
    return stream_.close();
  parser_.emplace();
  parser_->body_limit(core_->opts.max_body);
  parser_->header_limit(64 * 1024);
  stream_.expires_after(core_->opts.idle_timeout);
  bhttp::async_read_header(stream_, buffer_, *parser_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
    if (ec == bhttp::error::end_of_stream || ec == net::error::eof || ec == beast::error::timeout
        || ec == net::error::operation_aborted || ec == net::error::connection_reset)
      return self->stream_.close();
    if (ec == bhttp::error::body_limit)  // a declared length over the limit, seen with the header
      return self->fail_request(413, "request body exceeds the limit of " + std::to_string(self->core_->opts.max_body)
                                       + " bytes");
    if (ec)
      return self->fail_request(ec == bhttp::error::header_limit ? 431 : 400, "malformed request: " + ec.message());
    self->read_body();
  });
}

void session::read_body() {
  // A declared body over the limit is refused before it is read.
  if (auto length = parser_->content_length(); length && *length > core_->opts.max_body)
    return fail_request(413, "request body of " + std::to_string(*length) + " bytes exceeds the limit of "
                               + std::to_string(core_->opts.max_body));
  stream_.expires_after(core_->opts.read_timeout);
  auto expect = parser_->get()[bhttp::field::expect];
  if (expect.size() == 12 && beast::iequals(expect, "100-continue")) {
    // The client waits for this before it sends the body (curl does for large bodies).
    static const std::string go_on = "HTTP/1.1 100 Continue\r\n\r\n";
    parser_->get().erase(bhttp::field::expect);
    return net::async_write(stream_, net::buffer(go_on), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec)
        return self->stream_.close();
      self->read_body();
    });
  }
  bhttp::async_read(stream_, buffer_, *parser_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
    if (ec == bhttp::error::body_limit)
      return self->fail_request(413, "request body exceeds the limit of " + std::to_string(self->core_->opts.max_body)
                                       + " bytes");
    if (ec == beast::error::timeout || ec == net::error::operation_aborted || ec == net::error::eof
        || ec == bhttp::error::end_of_stream || ec == net::error::connection_reset)
      return self->stream_.close();
    if (ec)
      return self->fail_request(400, "malformed request: " + ec.message());
    self->on_request();
  });
}

void session::fail_request(int code, const std::string& detail) {
  reply_now(error_response(code, "micro.http", detail), false);
}

void session::on_request() {
  stream_.expires_never();
  auto msg = parser_->release();
  request req;
  req.method = std::string{msg.method_string()};
  req.target = std::string{msg.target()};
  auto q = req.target.find('?');
  req.path = req.target.substr(0, q);
  if (q != std::string::npos)
    req.query = req.target.substr(q + 1);
  for (auto& field : msg)
    req.headers[std::string{field.name_string()}] = std::string{field.value()};
  req.body = std::move(msg.body());
  req.remote = remote_;
  bool keep_alive = msg.keep_alive();
  if (core_->in_flight.fetch_add(1) >= core_->opts.max_in_flight) {
    core_->in_flight.fetch_sub(1);
    return reply_now(error_response(503, "micro.http", "too many requests in flight (limit "
                                                          + std::to_string(core_->opts.max_in_flight) + ")"),
                     keep_alive);
  }
  auto st = std::make_shared<responder::state>();
  st->session = shared_from_this();
  st->keep_alive = keep_alive;
  st->core = core_;
  responder out{st};
  st.reset();
  try {
    core_->on_request(std::move(req), out);
  } catch (const std::exception& e) {
    out.reply(error_response(500, "micro.http", std::string{"handler failed: "} + e.what()));
  } catch (...) {
    out.reply(error_response(500, "micro.http", "handler failed"));
  }
}

void session::send_response(response rsp, bool keep_alive) {
  net::post(stream_.get_executor(), [self = shared_from_this(), rsp = std::move(rsp), keep_alive]() mutable {
    self->reply_now(std::move(rsp), keep_alive);
  });
}

void session::reply_now(response rsp, bool keep_alive) {
  keep_alive = keep_alive && !core_->stopping;
  auto msg = std::make_shared<bhttp::response<bhttp::string_body>>(static_cast<bhttp::status>(rsp.status), 11);
  msg->set(bhttp::field::server, core_->opts.server_header);
  if (!rsp.content_type.empty())
    msg->set(bhttp::field::content_type, rsp.content_type);
  for (auto& [k, v] : rsp.headers)
    msg->set(k, v);
  msg->body() = std::move(rsp.body);
  msg->keep_alive(keep_alive);
  msg->prepare_payload();
  stream_.expires_after(core_->opts.read_timeout);  // a peer that does not read its answer
  bhttp::async_write(stream_, *msg, [self = shared_from_this(), msg](beast::error_code ec, std::size_t) {
    if (ec)
      return self->stream_.close();
    if (!msg->keep_alive())
      return self->linger_then_close();
    self->read_header();
  });
}

std::shared_ptr<event_sink> session::start_stream(response head) {
  auto sink = std::make_shared<stream_sink>(shared_from_this(), core_->opts.stream_buffer);
  // The head as text: a chunked body, and the connection ends with the stream.
  std::string text = "HTTP/1.1 " + std::to_string(head.status) + " " + reason(head.status) + "\r\n";
  text += "Server: " + core_->opts.server_header + "\r\n";
  if (!head.content_type.empty())
    text += "Content-Type: " + head.content_type + "\r\n";
  for (auto& [k, v] : head.headers)
    text += k + ": " + v + "\r\n";
  text += "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
  net::post(stream_.get_executor(), [self = shared_from_this(), sink, text = std::move(text)]() mutable {
    self->sink_ = sink;
    self->stream_.expires_never();
    self->out_.emplace_back(std::move(text), false);
    self->write_next();
    self->watch_peer();
  });
  return sink;
}

void session::linger_then_close() {
  // Closing with unread input makes the kernel send a reset, which can destroy the answer
  // before the peer read it (a 413 for a body not read). So: half-close, read and drop what the
  // peer still sends for a moment, then close.
  beast::error_code ignored;
  stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
  stream_.expires_after(std::chrono::seconds{2});
  stream_.async_read_some(net::buffer(discard_), [self = shared_from_this()](beast::error_code ec, std::size_t) {
    if (ec)
      return self->stream_.close();
    self->linger_then_close();
  });
}

void session::watch_peer() {
  stream_.async_read_some(net::buffer(discard_), [self = shared_from_this()](beast::error_code ec, std::size_t) {
    if (ec) {
      if (auto sink = std::move(self->sink_))
        sink->peer_gone();
      return;
    }
    self->watch_peer();  // the peer may send nothing useful while it reads a stream
  });
}

void session::write_stream_data(std::string data, bool last) {
  out_.emplace_back(std::move(data), last);
  write_next();
}

void session::write_next() {
  if (writing_ || out_.empty())
    return;
  writing_ = true;
  auto& front = out_.front();
  net::async_write(stream_, net::buffer(front.first), [self = shared_from_this()](beast::error_code ec, std::size_t n) {
    self->writing_ = false;
    bool last = self->out_.front().second;
    self->out_.pop_front();
    if (self->sink_)
      self->sink_->written(n);
    if (ec) {
      self->out_.clear();
      if (auto sink = std::move(self->sink_))
        sink->peer_gone();
      return self->stream_.close();
    }
    if (last) {
      beast::error_code ignored;
      self->stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
      self->stream_.close();
      self->sink_.reset();
      return;
    }
    self->write_next();
  });
}

namespace {

std::string chunk(const std::string& data) {
  char size[20];
  std::snprintf(size, sizeof size, "%zx\r\n", data.size());
  return size + data + "\r\n";
}

}  // namespace

bool stream_sink::send(std::string data) {
  if (data.empty())
    return open();
  auto framed = chunk(data);
  {
    std::unique_lock<std::mutex> lock{mutex_};
    room_.wait(lock, [&] { return !open_ || closed_ || queued_ < limit_; });
    if (!open_ || closed_)
      return false;
    queued_ += framed.size();
  }
  net::post(session_->executor(), [s = session_, framed = std::move(framed)]() mutable {
    s->write_stream_data(std::move(framed), false);
  });
  return true;
}

void stream_sink::close() {
  {
    std::lock_guard<std::mutex> lock{mutex_};
    if (closed_)
      return;
    closed_ = true;
  }
  room_.notify_all();
  net::post(session_->executor(), [s = session_] { s->write_stream_data("0\r\n\r\n", true); });
}

bool stream_sink::open() const {
  std::lock_guard<std::mutex> lock{mutex_};
  return open_ && !closed_;
}

void stream_sink::on_peer_gone(std::function<void()> f) {
  bool gone;
  {
    std::lock_guard<std::mutex> lock{mutex_};
    gone = !open_;
    if (!gone)
      gone_ = std::move(f);
  }
  if (gone && f)
    f();
}

void stream_sink::written(std::size_t n) {
  {
    std::lock_guard<std::mutex> lock{mutex_};
    queued_ = queued_ > n ? queued_ - n : 0;
  }
  room_.notify_all();
}

void stream_sink::peer_gone() {
  std::function<void()> f;
  {
    std::lock_guard<std::mutex> lock{mutex_};
    if (!open_)
      return;
    open_ = false;
    if (!closed_)
      f = std::move(gone_);
  }
  room_.notify_all();
  if (f)
    f();
}

}  // namespace detail
}  // namespace micro::http
