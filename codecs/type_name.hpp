#pragma once
// Human readable type names for error messages: the protobuf full name when there is
// one ("greeter.Request"), "json" for nlohmann::json, else the demangled C++ name
// ("std::string", "shop::order"). These names travel in registry entries (mDNS TXT records,
// etcd values): nlohmann::json's demangled name is ~200 characters, and a few endpoints taking
// it made TXT records of ~4.8 KB, which Avahi cannot resolve beyond loopback (MTU 1500).

#include <string>
#include <type_traits>
#include <typeinfo>

#include "codecs/traits.hpp"

namespace micro::codecs {

// The demangled name of a C++ type, with libstdc++'s std::__cxx11 noise removed.
std::string demangle(const std::type_info& type);

namespace detail {
template <class T, class = void>
struct has_static_descriptor : std::false_type {};
template <class T>
struct has_static_descriptor<T, std::void_t<decltype(T::descriptor()->full_name())>> : std::true_type {};
}  // namespace detail

template <class T>
std::string type_name() {
  if constexpr (is_protobuf_message_v<T> && detail::has_static_descriptor<T>::value)
    return T::descriptor()->full_name();
  else if constexpr (std::is_same_v<T, nlohmann::json>)
    return "json";
  else
    return demangle(typeid(T));
}

}  // namespace micro::codecs
