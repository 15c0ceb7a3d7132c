#include "http/server.hpp"

#include "http/session.hpp"

namespace micro::http {

struct server::impl {
  std::shared_ptr<detail::core> core;
  std::unique_ptr<detail::tcp::acceptor> acceptor;
  std::optional<detail::net::executor_work_guard<detail::net::io_context::executor_type>> work;
  std::vector<std::thread> threads;
  std::string address;
  bool stopped = false;

  void accept() {
    acceptor->async_accept(detail::net::make_strand(core->ioc), [this](boost::system::error_code ec,
                                                                       detail::tcp::socket socket) {
      if (ec == detail::net::error::operation_aborted || core->stopping)
        return;
      if (!ec) {
        if (core->connections.load() >= core->opts.max_connections) {
          boost::system::error_code ignored;
          socket.close(ignored);  // over the limit: refused at once rather than queued
        } else {
          socket.set_option(detail::tcp::no_delay{true}, ec);
          auto s = std::make_shared<detail::session>(std::move(socket), core);
          {
            std::lock_guard<std::mutex> guard{core->sessions_mutex};
            for (auto it = core->sessions.begin(); it != core->sessions.end();)  // forget the dead
              it = it->expired() ? core->sessions.erase(it) : std::next(it);
            core->sessions.insert(s);
          }
          s->start();
        }
      }
      accept();  // transient errors (EMFILE, ...) do not stop the listener
    });
  }
};

std::pair<std::unique_ptr<server>, start_error> server::start(server_options opts, handler h) {
  auto failed = [](std::string why, bool invalid = false) {
    return std::make_pair(std::unique_ptr<server>{}, start_error{std::move(why), invalid});
  };
  auto p = std::make_unique<impl>();
  p->core = std::make_shared<detail::core>();
  p->core->opts = std::move(opts);
  p->core->on_request = std::move(h);
  auto& address = p->core->opts.address;
  auto colon = address.rfind(':');
  if (colon == std::string::npos)
    return failed("invalid HTTP address \"" + address + "\": expected host:port", true);
  auto host = address.substr(0, colon);
  if (host.size() > 1 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  if (host.empty())
    host = "0.0.0.0";
  unsigned long port = 0;
  try {
    std::size_t used = 0;
    port = std::stoul(address.substr(colon + 1), &used);
    if (used != address.size() - colon - 1 || port > 65535)
      throw std::invalid_argument{"port"};
  } catch (const std::exception&) {
    return failed("invalid HTTP address \"" + address + "\": expected a port from 0 to 65535", true);
  }
  boost::system::error_code ec;
  auto ip = detail::net::ip::make_address(host, ec);
  if (ec) {
    detail::tcp::resolver resolver{p->core->ioc};
    auto found = resolver.resolve(host, std::to_string(port), ec);
    if (ec || found.empty())
      return failed("cannot resolve HTTP host \"" + host + "\": " + ec.message());
    ip = found.begin()->endpoint().address();
  }
  detail::tcp::endpoint ep{ip, static_cast<unsigned short>(port)};
  p->acceptor = std::make_unique<detail::tcp::acceptor>(p->core->ioc);
  p->acceptor->open(ep.protocol(), ec);
  if (!ec)
    p->acceptor->set_option(detail::net::socket_base::reuse_address(true), ec);
  if (!ec)
    p->acceptor->bind(ep, ec);
  if (!ec)
    p->acceptor->listen(detail::net::socket_base::max_listen_connections, ec);
  if (ec)
    return failed("cannot listen for HTTP on " + address + ": " + ec.message());
  auto bound = p->acceptor->local_endpoint();
  auto shown = bound.address().is_v6() ? "[" + bound.address().to_string() + "]" : bound.address().to_string();
  p->address = shown + ":" + std::to_string(bound.port());
  p->work.emplace(p->core->ioc.get_executor());
  p->accept();
  auto n = std::max<std::size_t>(1, p->core->opts.threads);
  for (std::size_t i = 0; i < n; ++i)
    p->threads.emplace_back([c = p->core.get()] { c->ioc.run(); });
  return {std::unique_ptr<server>{new server{std::move(p)}}, start_error{}};
}

server::server(std::unique_ptr<impl> p) : impl_(std::move(p)) {}

server::~server() { stop(); }

std::string server::address() const { return impl_->address; }

std::size_t server::connections() const { return impl_->core->connections.load(); }

std::size_t server::in_flight() const { return impl_->core->in_flight.load(); }

void server::stop() {
  auto& d = *impl_;
  if (d.stopped)
    return;
  d.stopped = true;
  d.core->stopping = true;
  detail::net::post(d.core->ioc, [&d] {
    boost::system::error_code ignored;
    d.acceptor->close(ignored);
  });
  {
    std::lock_guard<std::mutex> guard{d.core->sessions_mutex};
    for (auto& weak : d.core->sessions)
      if (auto s = weak.lock())
        s->close();
    d.core->sessions.clear();
  }
  // Every socket is closed: the threads end once the aborted operations have run.
  d.work.reset();
  for (auto& t : d.threads)
    t.join();
  d.threads.clear();
  // An answer posted after the threads ended (a worker finishing late) holds its connection,
  // which holds the core: run what is queued (writes to closed sockets fail at once) and drop
  // the handler, whose captures (a gateway, open event streams) would otherwise keep the core.
  d.core->ioc.restart();
  d.core->ioc.poll();
  d.core->on_request = nullptr;
}

}  // namespace micro::http
