#include "actors/transport_limits.hpp"

#include <mutex>

namespace micro::actors {

namespace {

std::mutex mutex;
transport::limits current;

}  // namespace

transport::limits transport_limits() {
  std::lock_guard lock{mutex};
  return current;
}

void set_transport_limits(const transport::limits& limits) {
  std::lock_guard lock{mutex};
  current = limits;
}

}  // namespace micro::actors
