#pragma once
// A type-erased reference to a user value, as codecs see it. Built from any T by the
// traits in traits.hpp: each capability (protobuf, JSON, msgpack, bytes) is present
// only when T supports it, so one codec interface serves every user type and a codec
// can ask "can this value be a protobuf message?" at run time.
//
// Views do not own the value; they live for one encode or decode call.

#include <string>
#include <string_view>
#include <type_traits>
#include <typeinfo>

#include "codecs/traits.hpp"
#include "codecs/type_name.hpp"

namespace micro::codecs {

namespace detail {

// One constant table per type; a null entry means "T cannot do this".
struct message_ops {
  const std::type_info& (*type)() = nullptr;
  std::string (*type_name)(const void*) = nullptr;
  const google::protobuf::Message* (*protobuf)(const void*) = nullptr;
  google::protobuf::Message* (*mutable_protobuf)(void*) = nullptr;
  void (*to_json)(const void*, nlohmann::json&) = nullptr;
  void (*from_json)(void*, const nlohmann::json&) = nullptr;
  void (*pack)(const void*, msgpack::packer<msgpack::sbuffer>&) = nullptr;
  void (*unpack)(void*, const msgpack::object&) = nullptr;
  std::string_view (*bytes)(const void*) = nullptr;
  void (*assign_bytes)(void*, std::string_view) = nullptr;
};

template <class T>
struct erased {
  static const T& get(const void* p) noexcept { return *static_cast<const T*>(p); }
  static T& get(void* p) noexcept { return *static_cast<T*>(p); }

  static const std::type_info& type() noexcept { return typeid(T); }
  static std::string name(const void* p) {
    // The dynamic descriptor also names DynamicMessage and Message& correctly.
    if constexpr (is_protobuf_message_v<T>)
      return get(p).GetDescriptor()->full_name();
    else
      return type_name<T>();
  }
  static const google::protobuf::Message* protobuf(const void* p) noexcept { return &get(p); }
  static google::protobuf::Message* mutable_protobuf(void* p) noexcept { return &get(p); }
  static void to_json(const void* p, nlohmann::json& j) { j = get(p); }
  static void from_json(void* p, const nlohmann::json& j) { j.get_to(get(p)); }
  static void pack(const void* p, msgpack::packer<msgpack::sbuffer>& pk) { pk.pack(get(p)); }
  static void unpack(void* p, const msgpack::object& o) { o.convert(get(p)); }
  static std::string_view bytes(const void* p) noexcept { return bytes_traits<T>::view(get(p)); }
  static void assign_bytes(void* p, std::string_view b) { bytes_traits<T>::assign(get(p), b); }
};

template <class T>
constexpr message_ops make_ops() {
  using e = erased<T>;
  message_ops ops;
  ops.type = &e::type;
  ops.type_name = &e::name;
  if constexpr (is_protobuf_message_v<T>) {
    ops.protobuf = &e::protobuf;
    ops.mutable_protobuf = &e::mutable_protobuf;
  }
  if constexpr (is_json_encodable_v<T>) ops.to_json = &e::to_json;
  if constexpr (is_json_decodable_v<T>) ops.from_json = &e::from_json;
  if constexpr (is_msgpack_adapted_v<T>) {
    ops.pack = &e::pack;
    ops.unpack = &e::unpack;
  }
  if constexpr (bytes_traits<T>::readable) ops.bytes = &e::bytes;
  if constexpr (bytes_traits<T>::writable) ops.assign_bytes = &e::assign_bytes;
  return ops;
}

template <class T>
inline constexpr message_ops ops_v = make_ops<T>();

}  // namespace detail

// Read-only view: what codecs encode.
class message_view {
 public:
  template <class T, class = std::enable_if_t<!std::is_same_v<T, message_view>>>
  explicit message_view(const T& value) noexcept : ptr_(&value), ops_(&detail::ops_v<T>) {}

  const std::type_info& type() const noexcept { return ops_->type(); }
  std::string type_name() const { return ops_->type_name(ptr_); }

  // The value itself when it is exactly a T: lets a user codec support its own types.
  template <class T>
  const T* get_if() const noexcept {
    return type() == typeid(T) ? static_cast<const T*>(ptr_) : nullptr;
  }

  // nullptr unless the value is a protobuf message.
  const google::protobuf::Message* protobuf() const noexcept { return ops_->protobuf ? ops_->protobuf(ptr_) : nullptr; }

  bool has_json() const noexcept { return ops_->to_json != nullptr; }
  void to_json(nlohmann::json& j) const { ops_->to_json(ptr_, j); }  // may throw; requires has_json()

  bool has_msgpack() const noexcept { return ops_->pack != nullptr; }
  void pack(msgpack::packer<msgpack::sbuffer>& pk) const { ops_->pack(ptr_, pk); }  // may throw; requires has_msgpack()

  bool has_bytes() const noexcept { return ops_->bytes != nullptr; }
  std::string_view bytes() const noexcept { return ops_->bytes(ptr_); }  // requires has_bytes()

 private:
  const void* ptr_;
  const detail::message_ops* ops_;
};

// Writable view: what codecs decode into.
class mutable_message_view {
 public:
  template <class T, class = std::enable_if_t<!std::is_same_v<T, mutable_message_view>>>
  explicit mutable_message_view(T& value) noexcept : ptr_(&value), ops_(&detail::ops_v<T>) {
    static_assert(!std::is_const_v<T>, "cannot decode into a const value");
  }

  const std::type_info& type() const noexcept { return ops_->type(); }
  std::string type_name() const { return ops_->type_name(ptr_); }

  template <class T>
  T* get_if() const noexcept {
    return type() == typeid(T) ? static_cast<T*>(ptr_) : nullptr;
  }

  google::protobuf::Message* protobuf() const noexcept {
    return ops_->mutable_protobuf ? ops_->mutable_protobuf(ptr_) : nullptr;
  }

  bool has_json() const noexcept { return ops_->from_json != nullptr; }
  void from_json(const nlohmann::json& j) const { ops_->from_json(ptr_, j); }  // may throw

  bool has_msgpack() const noexcept { return ops_->unpack != nullptr; }
  void unpack(const msgpack::object& o) const { ops_->unpack(ptr_, o); }  // may throw

  bool has_bytes() const noexcept { return ops_->assign_bytes != nullptr; }
  void assign_bytes(std::string_view b) const { ops_->assign_bytes(ptr_, b); }  // may throw (allocation)

 private:
  void* ptr_;
  const detail::message_ops* ops_;
};

}  // namespace micro::codecs
