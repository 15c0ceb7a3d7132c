#include "metrics/registry.hpp"

#include <stdexcept>

namespace micro::metrics {

void add_process_collector(registry& r);  // process.cpp

registry& registry::global() {
  static registry* r = [] {
    auto* made = new registry;  // never destroyed: series are used until the process ends
    add_process_collector(*made);
    return made;
  }();
  return *r;
}

std::string escape_label_value(const std::string& v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

namespace {

std::string key_of(const labels& l) {
  std::string key;
  for (auto& [name, value] : l) {
    key += name;
    key += '=';
    key += escape_label_value(value);
    key += '\x1f';
  }
  return key;
}

}  // namespace

registry::series& registry::find(const std::string& name, const std::string& help, metrics::kind k,
                                 const metrics::labels& l) {
  std::lock_guard<std::mutex> guard{mutex_};
  auto [fam, made] = families_.try_emplace(name, family{help, k, {}});
  if (!made && fam->second.kind != k)
    throw std::logic_error("metric " + name + " is registered with another type");
  auto [it, fresh] = fam->second.by_labels.try_emplace(key_of(l));
  auto& s = it->second;
  if (fresh) {
    s.labels = l;
    switch (k) {
      case metrics::kind::counter: s.c = std::make_unique<metrics::counter>(); break;
      case metrics::kind::gauge: s.g = std::make_unique<metrics::gauge>(); break;
      case metrics::kind::histogram: s.h = std::make_unique<metrics::histogram>(); break;
    }
  }
  return s;
}

counter& registry::counter(const std::string& name, const std::string& help, const metrics::labels& l) {
  return *find(name, help, metrics::kind::counter, l).c;
}

gauge& registry::gauge(const std::string& name, const std::string& help, const metrics::labels& l) {
  return *find(name, help, metrics::kind::gauge, l).g;
}

histogram& registry::histogram(const std::string& name, const std::string& help, const metrics::labels& l) {
  return *find(name, help, metrics::kind::histogram, l).h;
}

void registry::collect(const std::string& key, collector c) {
  std::lock_guard<std::mutex> guard{mutex_};
  if (c)
    collectors_[key] = std::move(c);
  else
    collectors_.erase(key);
}

}  // namespace micro::metrics
