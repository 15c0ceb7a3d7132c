#include "http/router.hpp"

#include "http/errors.hpp"

namespace micro::http {

router& router::add(std::string path, handler h) {
  exact_.emplace_back(std::move(path), std::move(h));
  return *this;
}

router& router::add_prefix(std::string prefix, handler h) {
  prefixes_.emplace_back(std::move(prefix), std::move(h));
  return *this;
}

void router::dispatch(request&& req, const responder& out) const {
  for (auto& [path, h] : exact_)
    if (req.path == path)
      return h(std::move(req), out);
  const handler* best = nullptr;
  std::size_t best_len = 0;
  for (auto& [prefix, h] : prefixes_)
    if (req.path.compare(0, prefix.size(), prefix) == 0 && (best == nullptr || prefix.size() > best_len)) {
      best = &h;
      best_len = prefix.size();
    }
  if (best != nullptr)
    return (*best)(std::move(req), out);
  out.reply(error_response(404, "micro.http", "no route for " + req.path));
}

handler router::as_handler() const {
  auto self = std::make_shared<router>(*this);
  return [self](request&& req, const responder& out) { self->dispatch(std::move(req), out); };
}

}  // namespace micro::http
