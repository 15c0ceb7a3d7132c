#include "registry/etcd_answers.hpp"

#include <cerrno>
#include <cstdlib>

#include "registry/base64.hpp"

namespace micro::registry {

namespace {

using nlohmann::json;

const json* field(const json& j, const char* key) {
  if (!j.is_object())
    return nullptr;
  auto it = j.find(key);
  return it == j.end() ? nullptr : &*it;
}

std::optional<std::string> base64_field(const json& j, const char* key) {
  const json* f = field(j, key);
  if (f == nullptr)
    return std::string{};  // etcd omits empty fields
  if (!f->is_string())
    return std::nullopt;
  return base64_decode(f->get_ref<const std::string&>());
}

}  // namespace

std::int64_t etcd_int_field(const json& j, const char* key) {
  const json* f = field(j, key);
  if (f == nullptr)
    return 0;
  if (f->is_number_integer())
    return f->get<std::int64_t>();
  if (f->is_string()) {
    const auto& s = f->get_ref<const std::string&>();
    errno = 0;
    char* end = nullptr;
    long long v = std::strtoll(s.c_str(), &end, 10);
    if (errno != 0 || end == s.c_str() || *end != '\0')
      return 0;
    return v;
  }
  return 0;
}

std::string etcd_string_field(const json& j, const char* key) {
  const json* f = field(j, key);
  return f != nullptr && f->is_string() ? f->get<std::string>() : std::string{};
}

std::uint64_t etcd_header_revision(const json& answer) {
  const json* header = field(answer, "header");
  return header == nullptr ? 0 : static_cast<std::uint64_t>(etcd_int_field(*header, "revision"));
}

std::optional<etcd_kv> decode_etcd_kv(const json& kv) {
  if (!kv.is_object())
    return std::nullopt;
  auto key = base64_field(kv, "key");
  auto value = base64_field(kv, "value");
  if (!key || !value)
    return std::nullopt;
  etcd_kv out{std::move(*key), std::nullopt};
  if (auto svc = decode_etcd_value(*value))
    out.entry = etcd_entry{std::move(*svc), static_cast<std::uint64_t>(etcd_int_field(kv, "mod_revision"))};
  return out;
}

std::vector<etcd_kv> decode_etcd_range(const json& answer) {
  std::vector<etcd_kv> out;
  const json* kvs = field(answer, "kvs");
  if (kvs == nullptr || !kvs->is_array())
    return out;
  for (const auto& kv : *kvs)
    if (auto decoded = decode_etcd_kv(kv))
      out.push_back(std::move(*decoded));
  return out;
}

etcd_watch_message decode_etcd_watch_message(const json& message) {
  etcd_watch_message out;
  const json* result = field(message, "result");
  if (result == nullptr || !result->is_object())
    return out;
  if (const json* canceled = field(*result, "canceled"); canceled != nullptr && canceled->is_boolean())
    out.canceled = canceled->get<bool>();
  out.cancel_reason = etcd_string_field(*result, "cancel_reason");
  out.header_revision = etcd_header_revision(*result);
  const json* events = field(*result, "events");
  if (events == nullptr || !events->is_array())
    return out;
  for (const auto& ev : *events) {
    etcd_watch_change change;
    const json* kv = field(ev, "kv");
    static const json empty = json::object();
    const json& kv_ref = kv != nullptr ? *kv : empty;
    change.revision = static_cast<std::uint64_t>(etcd_int_field(kv_ref, "mod_revision"));
    change.deleted = etcd_string_field(ev, "type") == "DELETE";
    if (kv == nullptr || !kv->is_object()) {
      // nothing to apply; the revision (0) changes nothing either
    } else if (change.deleted) {
      if (auto key = base64_field(kv_ref, "key"))
        change.kv = etcd_kv{std::move(*key), std::nullopt};
    } else {
      change.kv = decode_etcd_kv(kv_ref);
    }
    out.changes.push_back(std::move(change));
  }
  return out;
}

}  // namespace micro::registry
