#pragma once
// Deduces Req and Rsp from a handler `void(const context&, const Req&, Rsp&)` (lambda, function
// pointer or functor), so `server.handle("Greeter.Hello", f)` needs no template arguments.

#include <type_traits>

#include "micro/context.hpp"

namespace micro::detail {

template <class T>
struct handler_traits : handler_traits<decltype(&std::decay_t<T>::operator())> {};

template <class R, class Ctx, class Req, class Rsp>
struct handler_traits<R (*)(Ctx, Req, Rsp)> {
  using request = std::decay_t<Req>;
  using response = std::remove_reference_t<Rsp>;
  static_assert(std::is_same_v<std::decay_t<Ctx>, context>, "a handler's first argument is a micro::context");
  static_assert(std::is_lvalue_reference_v<Rsp> && !std::is_const_v<std::remove_reference_t<Rsp>>,
                "a handler fills its response through a non-const reference: void(const context&, const Req&, Rsp&)");
};

template <class R, class C, class Ctx, class Req, class Rsp>
struct handler_traits<R (C::*)(Ctx, Req, Rsp) const> : handler_traits<R (*)(Ctx, Req, Rsp)> {};

template <class R, class C, class Ctx, class Req, class Rsp>
struct handler_traits<R (C::*)(Ctx, Req, Rsp)> : handler_traits<R (*)(Ctx, Req, Rsp)> {};

}  // namespace micro::detail
