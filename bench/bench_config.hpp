#pragma once
// Both peers of a benchmark run on the same CAF configuration: micro's runtime, configured
// from the same MICRO_* variables. So "raw CAF" differs from micro only by micro's own layers.

#include <cstdlib>
#include <iostream>

#include "micro/detail/runtime_access.hpp"
#include "micro/options.hpp"

namespace bench {

inline micro::options options_from_environment() {
  micro::options opts;
  if (auto st = micro::apply_environment(opts); !st) {
    std::cerr << st.error().to_json() << "\n";
    std::exit(2);
  }
  return opts;
}

}  // namespace bench
