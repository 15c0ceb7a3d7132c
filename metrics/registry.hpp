#pragma once
// Named series, grouped in families (one name, one help text, one type; a series per set of
// label values), and collectors that compute figures only when scraped (process RSS, queue
// depths). Finding a series takes a lock: do it once per endpoint or target and keep the
// reference, which stays valid for the life of the process.

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "metrics/metrics.hpp"

namespace micro::metrics {

/// Label names and values, in the order they are printed.
using labels = std::vector<std::pair<std::string, std::string>>;

enum class kind { counter, gauge, histogram };

/// A figure computed at scrape time (collectors).
struct sample {
  metrics::labels labels;
  double value = 0;
};

/// One family as a collector produces it.
struct family_snapshot {
  std::string name;
  std::string help;
  metrics::kind kind = metrics::kind::gauge;  // counter or gauge
  std::vector<sample> samples;
};

using collector = std::function<void(std::vector<family_snapshot>& out)>;

class registry {
 public:
  /// The process' registry: what /metrics shows.
  static registry& global();

  /// The series `name{labels}`, made at first use. A name keeps the kind and help it was first
  /// registered with; asking for it as another kind throws std::logic_error (a programming error).
  metrics::counter& counter(const std::string& name, const std::string& help, const metrics::labels& l);
  metrics::gauge& gauge(const std::string& name, const std::string& help, const metrics::labels& l);
  metrics::histogram& histogram(const std::string& name, const std::string& help, const metrics::labels& l);

  /// Adds (or, with the same key, replaces) a collector; an empty function removes it.
  void collect(const std::string& key, collector c);

  /// Everything, in the Prometheus text exposition format 0.0.4 (exposition.cpp).
  std::string expose() const;

 private:
  struct series {
    metrics::labels labels;
    std::unique_ptr<metrics::counter> c;
    std::unique_ptr<metrics::gauge> g;
    std::unique_ptr<metrics::histogram> h;
  };
  struct family {
    std::string help;
    metrics::kind kind;
    std::map<std::string, series> by_labels;  // key: the rendered label set
  };
  series& find(const std::string& name, const std::string& help, metrics::kind k, const metrics::labels& l);

  mutable std::mutex mutex_;
  std::map<std::string, family> families_;
  std::map<std::string, collector> collectors_;
};

/// The text format's escaping of a label value (backslash, double quote, newline).
std::string escape_label_value(const std::string& v);

}  // namespace micro::metrics
