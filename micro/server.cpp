#include "micro/server.hpp"

#include "micro/detail/server_impl.hpp"

namespace micro {

server::server() : impl_(std::make_unique<impl>()) {}
server::~server() = default;

void server::handle_raw(registry::endpoint info, raw_handler handler) {
  std::lock_guard<std::mutex> guard{impl_->mutex};
  auto name = info.name;
  impl_->endpoints[name] = impl::entry{std::move(info), std::move(handler), {}};
}

std::vector<registry::endpoint> server::endpoints() const {
  std::lock_guard<std::mutex> guard{impl_->mutex};
  std::vector<registry::endpoint> out;
  for (auto& kv : impl_->endpoints)
    out.push_back(kv.second.info);
  return out;
}

}  // namespace micro
