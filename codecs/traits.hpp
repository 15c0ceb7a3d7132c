#pragma once
// Compile-time detection of what a C++ type can be turned into. The message view
// (message_view.hpp) is built from these, and the codecs only see the view.
//
// Users extend support by the libraries' own means (to_json/from_json for JSON,
// MSGPACK_DEFINE for msgpack) and, where detection cannot see it, by specialising
// the traits below (see msgpack_adapted).

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include <google/protobuf/message.h>
#include <msgpack.hpp>
#include <nlohmann/json.hpp>

namespace micro::codecs {

// --- protobuf: anything derived from google::protobuf::Message (generated or dynamic).
// Lite messages are not supported: the JSON mapping needs descriptors.
template <class T>
inline constexpr bool is_protobuf_message_v = std::is_base_of_v<google::protobuf::Message, T>;

// --- bytes: types whose value *is* the body. std::string_view can only be encoded.
template <class T, class Enable = void>
struct bytes_traits {
  static constexpr bool readable = false;
  static constexpr bool writable = false;
};

template <>
struct bytes_traits<std::string> {
  static constexpr bool readable = true;
  static constexpr bool writable = true;
  static std::string_view view(const std::string& s) noexcept { return s; }
  static void assign(std::string& s, std::string_view bytes) { s.assign(bytes); }
};

template <>
struct bytes_traits<std::string_view> {
  static constexpr bool readable = true;
  static constexpr bool writable = false;
  static std::string_view view(std::string_view s) noexcept { return s; }
};

template <class Byte, class Alloc>
struct bytes_traits<std::vector<Byte, Alloc>,
                    std::enable_if_t<std::is_same_v<Byte, char> || std::is_same_v<Byte, unsigned char> ||
                                     std::is_same_v<Byte, std::byte>>> {
  static constexpr bool readable = true;
  static constexpr bool writable = true;
  static std::string_view view(const std::vector<Byte, Alloc>& v) noexcept {
    return {reinterpret_cast<const char*>(v.data()), v.size()};
  }
  static void assign(std::vector<Byte, Alloc>& v, std::string_view bytes) {
    auto first = reinterpret_cast<const Byte*>(bytes.data());
    v.assign(first, first + bytes.size());
  }
};

template <class T>
inline constexpr bool is_bytes_v = bytes_traits<T>::readable;

// --- JSON: nlohmann::json itself, or anything nlohmann can convert (to_json/from_json
// found by ADL, adl_serializer specialisations, standard containers, arithmetic types).
namespace detail {

template <class T, class = void>
struct has_to_json : std::false_type {};
template <class T>
struct has_to_json<T, std::void_t<decltype(nlohmann::adl_serializer<T>::to_json(
                          std::declval<nlohmann::json&>(), std::declval<const T&>()))>> : std::true_type {};

template <class T, class = void>
struct has_get_to : std::false_type {};
template <class T>
struct has_get_to<T, std::void_t<decltype(std::declval<const nlohmann::json&>().get_to(std::declval<T&>()))>>
    : std::true_type {};

}  // namespace detail

template <class T>
inline constexpr bool is_json_encodable_v =
    !is_protobuf_message_v<T> && (std::is_same_v<T, nlohmann::json> || detail::has_to_json<T>::value);

// Views and pointers are excluded: they would point into the parsed document,
// which dies when decode returns.
template <class T>
inline constexpr bool is_json_decodable_v = !is_protobuf_message_v<T> && !std::is_same_v<T, std::string_view> &&
                                            !std::is_pointer_v<T> && detail::has_get_to<T>::value;

// --- msgpack. msgpack-c's adaptor templates are not SFINAE friendly (an unadapted type
// is a hard error inside msgpack), so detection is explicit: MSGPACK_DEFINE members,
// the standard types msgpack-c adapts out of the box, and user opt-in. A type adapted by
// specialising msgpack::adaptor::{pack,convert} (or MSGPACK_ADD_ENUM) must opt in:
//   template <> struct micro::codecs::msgpack_adapted<my_type> : std::true_type {};
namespace detail {

template <class T, class = void>
struct has_msgpack_define : std::false_type {};
template <class T>
struct has_msgpack_define<
    T, std::void_t<decltype(std::declval<const T&>().msgpack_pack(std::declval<msgpack::packer<msgpack::sbuffer>&>())),
                   decltype(std::declval<T&>().msgpack_unpack(std::declval<const msgpack::object&>()))>>
    : std::true_type {};

// Arithmetic types msgpack-c packs natively (not long double, not wide characters).
template <class T>
inline constexpr bool is_msgpack_scalar_v =
    (std::is_integral_v<T> && !std::is_same_v<T, wchar_t> && !std::is_same_v<T, char16_t> &&
     !std::is_same_v<T, char32_t>) ||
    std::is_same_v<T, float> || std::is_same_v<T, double> || std::is_same_v<T, std::byte>;

}  // namespace detail

template <class T, class Enable = void>
struct msgpack_adapted
    : std::bool_constant<detail::has_msgpack_define<T>::value || detail::is_msgpack_scalar_v<T>> {};

template <>
struct msgpack_adapted<std::string> : std::true_type {};
template <class T, class A>
struct msgpack_adapted<std::vector<T, A>> : msgpack_adapted<T> {};
template <class T, std::size_t N>
struct msgpack_adapted<std::array<T, N>> : msgpack_adapted<T> {};
template <class T>
struct msgpack_adapted<std::optional<T>> : msgpack_adapted<T> {};
template <class K, class V, class C, class A>
struct msgpack_adapted<std::map<K, V, C, A>> : std::bool_constant<msgpack_adapted<K>::value && msgpack_adapted<V>::value> {};
template <class K, class V, class H, class E, class A>
struct msgpack_adapted<std::unordered_map<K, V, H, E, A>>
    : std::bool_constant<msgpack_adapted<K>::value && msgpack_adapted<V>::value> {};
template <class A, class B>
struct msgpack_adapted<std::pair<A, B>> : std::bool_constant<msgpack_adapted<A>::value && msgpack_adapted<B>::value> {};
template <class... Ts>
struct msgpack_adapted<std::tuple<Ts...>> : std::bool_constant<(msgpack_adapted<Ts>::value && ...)> {};

template <class T>
inline constexpr bool is_msgpack_adapted_v = !is_protobuf_message_v<T> && msgpack_adapted<T>::value;

}  // namespace micro::codecs
