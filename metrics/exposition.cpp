// The Prometheus text exposition format, version 0.0.4
// (https://prometheus.io/docs/instrumenting/exposition_formats/): per family a HELP and a TYPE
// line, then one line per sample; histograms as cumulative _bucket{le=...}, _sum and _count.
#include <cmath>
#include <cstdio>

#include "metrics/registry.hpp"

namespace micro::metrics {

namespace {

std::string escape_help(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

const char* type_name(kind k) {
  switch (k) {
    case kind::counter: return "counter";
    case kind::gauge: return "gauge";
    case kind::histogram: return "histogram";
  }
  return "untyped";
}

// %.15g: values print as written (0.0001, not 0.00010000000000000000479); sums of nanoseconds keep
// every digit up to 10^6 s.
std::string number(double v) {
  if (std::isnan(v))
    return "NaN";
  if (std::isinf(v))
    return v > 0 ? "+Inf" : "-Inf";
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.15g", v);
  return buf;
}

void label_set(std::string& out, const labels& l, const char* extra_name = nullptr, const std::string& extra = {}) {
  if (l.empty() && extra_name == nullptr)
    return;
  out += '{';
  bool first = true;
  for (auto& [name, value] : l) {
    if (!first)
      out += ',';
    first = false;
    out += name;
    out += "=\"";
    out += escape_label_value(value);
    out += '"';
  }
  if (extra_name != nullptr) {
    if (!first)
      out += ',';
    out += extra_name;
    out += "=\"";
    out += extra;
    out += '"';
  }
  out += '}';
}

void header(std::string& out, const std::string& name, const std::string& help, kind k) {
  out += "# HELP " + name + " " + escape_help(help) + "\n";
  out += "# TYPE " + name + " " + type_name(k) + "\n";
}

}  // namespace

std::string registry::expose() const {
  std::vector<family_snapshot> collected;
  std::string out;
  std::lock_guard<std::mutex> guard{mutex_};
  for (auto& [name, fam] : families_) {
    header(out, name, fam.help, fam.kind);
    for (auto& [key, s] : fam.by_labels) {
      if (fam.kind == kind::histogram) {
        std::uint64_t cumulative = 0;
        for (std::size_t i = 0; i <= histogram::bounds.size(); ++i) {
          cumulative += s.h->bucket(i);
          out += name + "_bucket";
          label_set(out, s.labels, "le", i < histogram::bounds.size() ? number(histogram::bounds[i]) : "+Inf");
          out += " " + std::to_string(cumulative) + "\n";
        }
        out += name + "_sum";
        label_set(out, s.labels);
        out += " " + number(s.h->sum_seconds()) + "\n";
        out += name + "_count";
        label_set(out, s.labels);
        out += " " + std::to_string(cumulative) + "\n";
        continue;
      }
      out += name;
      label_set(out, s.labels);
      out += " " + (fam.kind == kind::counter ? std::to_string(s.c->value()) : std::to_string(s.g->value())) + "\n";
    }
  }
  for (auto& [key, c] : collectors_)
    c(collected);
  // Two collectors may give the same family (two services in one process): one header each.
  std::map<std::string, family_snapshot> merged;
  for (auto& fam : collected) {
    auto [it, fresh] = merged.try_emplace(fam.name, fam);
    if (!fresh)
      it->second.samples.insert(it->second.samples.end(), fam.samples.begin(), fam.samples.end());
  }
  for (auto& [name_, fam] : merged) {
    if (families_.count(fam.name) > 0)
      continue;  // a collector may not shadow a registered family (the format allows one per name)
    header(out, fam.name, fam.help, fam.kind);
    for (auto& s : fam.samples) {
      out += fam.name;
      label_set(out, s.labels);
      out += " " + number(s.value) + "\n";
    }
  }
  return out;
}

}  // namespace micro::metrics
