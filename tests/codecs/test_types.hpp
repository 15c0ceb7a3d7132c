#pragma once
// User types shared by the codec tests.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "codecs/codec.hpp"

namespace shop {

// JSON (ADL to_json/from_json) and msgpack (MSGPACK_DEFINE) both.
struct order {
  std::string id;
  int quantity = 0;
  std::vector<std::string> items;
  bool operator==(const order& o) const { return id == o.id && quantity == o.quantity && items == o.items; }
  MSGPACK_DEFINE_MAP(id, quantity, items);
};

inline void to_json(nlohmann::json& j, const order& o) {
  j = nlohmann::json{{"id", o.id}, {"quantity", o.quantity}, {"items", o.items}};
}
inline void from_json(const nlohmann::json& j, order& o) {
  j.at("id").get_to(o.id);
  j.at("quantity").get_to(o.quantity);
  j.at("items").get_to(o.items);
}

// JSON only.
struct note {
  std::string text;
};
inline void to_json(nlohmann::json& j, const note& n) { j = nlohmann::json{{"text", n.text}}; }
inline void from_json(const nlohmann::json& j, note& n) { j.at("text").get_to(n.text); }

// msgpack only (array form).
struct point {
  std::int32_t x = 0;
  std::int32_t y = 0;
  MSGPACK_DEFINE(x, y);
};

// Nothing at all.
struct opaque {
  int secret = 0;
};

}  // namespace shop
