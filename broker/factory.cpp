// The table of broker backends by name. Adding one (say NATS JetStream): its file pair in
// broker/ and one line below; nothing in micro/ changes (broker/README.md).
#include "broker/factory.hpp"

#include <map>
#include <mutex>

#include "broker/nats.hpp"

namespace micro::broker {

namespace {

result<std::shared_ptr<backend>> make_nats(const backend_params& p) {
  nats_options opts;
  opts.url = p.address;
  opts.tls = p.tls;
  auto r = nats_backend::connect(std::move(opts));
  return {r.st, r.value};
}

struct table {
  std::mutex mutex;
  std::map<std::string, backend_maker> makers{
    {"actor", nullptr},  // installed by micro's runtime (actors/actor_backend.hpp): it needs CAF
    {"nats", make_nats},
  };
};

table& the_table() {
  static table t;
  return t;
}

// With t.mutex held.
std::string known_names(const table& t) {
  std::string out;
  for (auto& entry : t.makers)
    out += (out.empty() ? "" : ", ") + entry.first;
  return out;
}

}  // namespace

std::vector<std::string> backend_names() {
  auto& t = the_table();
  std::lock_guard<std::mutex> guard{t.mutex};
  std::vector<std::string> names;
  for (auto& [name, maker] : t.makers)
    names.push_back(name);
  return names;
}

result<std::shared_ptr<backend>> make_backend(const std::string& name, const backend_params& params) {
  backend_maker maker;
  {
    auto& t = the_table();
    std::lock_guard<std::mutex> guard{t.mutex};
    auto it = t.makers.find(name);
    if (it == t.makers.end())
      return {status{errc::invalid_argument, "broker: unknown broker backend \"" + name + "\" (known: " + known_names(t) + ")"},
              nullptr};
    maker = it->second;
  }
  if (!maker)
    return {status{errc::unavailable, "broker " + name + ": not available in this process (its maker is installed when "
                                        "micro's runtime starts: open it through a micro client or service)"},
            nullptr};
  return maker(params);
}

result<std::shared_ptr<backend>> make_backend(const std::string& name, const std::string& address, const tls_files& tls) {
  backend_params params;
  params.address = address;
  params.tls = tls;
  return make_backend(name, params);
}

bool install_backend(const std::string& name, backend_maker maker) {
  auto& t = the_table();
  std::lock_guard<std::mutex> guard{t.mutex};
  auto it = t.makers.find(name);
  if (it == t.makers.end())
    return false;
  it->second = std::move(maker);
  return true;
}

}  // namespace micro::broker
