#include "micro/context.hpp"

namespace micro {

std::optional<std::string> context::get(const std::string& key) const {
  auto it = metadata_.find(key);
  if (it == metadata_.end())
    return std::nullopt;
  return it->second;
}

std::chrono::nanoseconds context::remaining() const noexcept {
  if (!has_deadline())
    return std::chrono::nanoseconds::max();
  auto left = deadline_ - clock::now();
  return left.count() > 0 ? std::chrono::duration_cast<std::chrono::nanoseconds>(left)
                          : std::chrono::nanoseconds::zero();
}

}  // namespace micro
