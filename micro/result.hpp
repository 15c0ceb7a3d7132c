#pragma once
// result<T>: a value or a micro::error, never an exception across our API.

#include <utility>
#include <variant>

#include "micro/error.hpp"

namespace micro {

template <class T>
class result {
 public:
  result(T value) : v_(std::in_place_index<0>, std::move(value)) {}          // NOLINT: implicit on purpose
  result(micro::error err) : v_(std::in_place_index<1>, std::move(err)) {}   // NOLINT

  bool ok() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return ok(); }

  /// The value; throws the error if there is none (for callers that prefer exceptions).
  T& value() & {
    if (!ok())
      throw std::get<1>(v_);
    return std::get<0>(v_);
  }
  const T& value() const& {
    if (!ok())
      throw std::get<1>(v_);
    return std::get<0>(v_);
  }
  T&& value() && {
    if (!ok())
      throw std::get<1>(v_);
    return std::get<0>(std::move(v_));
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  /// The error; only valid when !ok().
  const micro::error& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, micro::error> v_;
};

/// Success or an error, for operations without a value.
class status {
 public:
  status() = default;
  status(micro::error err) : err_(std::move(err)), failed_(true) {}  // NOLINT: implicit on purpose
  bool ok() const noexcept { return !failed_; }
  explicit operator bool() const noexcept { return ok(); }
  const micro::error& error() const { return err_; }

 private:
  micro::error err_;
  bool failed_ = false;
};

}  // namespace micro
