#pragma once
// A first-in-first-out queue that allocates nothing until its first element. libstdc++'s
// std::deque allocates ~600 bytes (its map and one 512-byte node) the moment it is constructed,
// and an open stream has two of them (its channel's inbox, its endpoint's held messages): idle
// streams paid ~1.2 KiB each for queues that stay empty.

#include <cstddef>
#include <deque>
#include <optional>
#include <utility>

namespace micro::actors {

template <class T>
class lazy_fifo {
 public:
  bool empty() const noexcept { return !items_ || items_->empty(); }
  std::size_t size() const noexcept { return items_ ? items_->size() : 0; }
  // Only when !empty().
  T& front() { return items_->front(); }
  void pop_front() { items_->pop_front(); }
  void push_back(T item) {
    if (!items_)
      items_.emplace();
    items_->push_back(std::move(item));
  }
  // Drops the elements and the memory that held them.
  void clear() noexcept { items_.reset(); }

 private:
  std::optional<std::deque<T>> items_;
};

}  // namespace micro::actors
