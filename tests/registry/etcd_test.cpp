// The etcd backend's pure parts: base64, addresses, go-micro's key/value layout, and the node
// table that turns etcd's key changes into registry events. The backend against a real etcd is
// in tests/registry_etcd.
#include <catch2/catch.hpp>

#include "registry/base64.hpp"
#include "registry/etcd_answers.hpp"
#include "registry/etcd_client.hpp"
#include "registry/etcd_nodes.hpp"

using namespace micro::registry;

namespace {

service one_node(const std::string& name, const std::string& version, const std::string& id) {
  return service{name, version, {}, {}, {node{id, "10.0.0.1:9000", {}}}};
}

}  // namespace

TEST_CASE("etcd base64 round-trips every length and rejects what is not base64") {
  for (std::string s : {"", "a", "ab", "abc", "abcd", "/micro/registry/greeter/n-1"}) {
    auto back = base64_decode(base64_encode(s));
    REQUIRE(back);
    CHECK(*back == s);
  }
  std::string binary;
  for (int i = 0; i < 256; ++i) binary += static_cast<char>(i);
  CHECK(base64_decode(base64_encode(binary)) == binary);
  CHECK(base64_encode("/micro") == "L21pY3Jv");
  for (std::string bad : {"L21pY3J", "L21p*3Jv", "=21pY3Jv", "L2=pY3Jv", "L21pY3=v", "ab=c"})
    CHECK_FALSE(base64_decode(bad));
}

TEST_CASE("etcd base64 refuses a second spelling of a value (bits set below the padding)") {
  // Found by fuzz/base64: "Y1==" decoded like "YQ==".
  CHECK(base64_decode("YQ==") == std::string{"a"});
  CHECK(base64_decode("YWI=") == std::string{"ab"});
  for (std::string bad : {"Y1==", "YR==", "YWJ=", "YWL="})
    CHECK_FALSE(base64_decode(bad));
}

TEST_CASE("etcd addresses: a list of endpoints, http by default") {
  auto none = parse_etcd_endpoints("");
  REQUIRE(none.ok());
  CHECK(none.value == std::vector<std::string>{"http://127.0.0.1:2379"});
  auto two = parse_etcd_endpoints(" 10.77.0.3:2379 , https://etcd.example:2379/ ");
  REQUIRE(two.ok());
  CHECK(two.value == std::vector<std::string>{"http://10.77.0.3:2379", "https://etcd.example:2379"});
  for (std::string bad : {"http://a:1,,http://b:2", "ftp://a:1", "http://"}) {
    auto r = parse_etcd_endpoints(bad);
    CHECK(r.st.code == errc::invalid_argument);
    CHECK(r.st.message.rfind("registry etcd: ", 0) == 0);
  }
}

TEST_CASE("etcd keys follow go-micro's layout") {
  CHECK(etcd_node_key("greeter", "greeter-1") == "/micro/registry/greeter/greeter-1");
  CHECK(etcd_node_key("go.micro/api", "n") == "/micro/registry/go.micro-api/n");
  CHECK(etcd_prefix_end("/micro/registry/") == "/micro/registry0");
  CHECK(etcd_prefix_end(std::string("a\xff", 2)) == "b");
}

TEST_CASE("etcd values: go-micro's JSON with one node and Value objects for types") {
  service svc{"greeter", "1.0", {{"k", "v"}},
              {endpoint{"Greeter.Hello", "greeter.Request", "greeter.Response", {}}},
              {node{"n1", "10.0.0.1:9000", {}}, node{"n2", "10.0.0.2:9000", {}}}};
  auto value = encode_etcd_value(svc, svc.nodes[1]);
  auto j = nlohmann::json::parse(value);
  CHECK(j["nodes"].size() == 1);
  CHECK(j["nodes"][0]["id"] == "n2");
  CHECK(j["endpoints"][0]["request"]["name"] == "greeter.Request");
  auto back = decode_etcd_value(value);
  REQUIRE(back);
  CHECK(back->endpoints == svc.endpoints);
  CHECK(back->nodes == std::vector<node>{svc.nodes[1]});

  // As go-micro writes it: nulls for empty maps, Value objects with nested values.
  auto go = decode_etcd_value(R"({"name":"go.micro.srv.x","version":"latest","metadata":null,
    "endpoints":[{"name":"X.Call","request":{"name":"Request","type":"Request","values":[{"name":"name","type":"string","values":null}]},
    "response":{"name":"Response","type":"Response","values":null},"metadata":{}}],
    "nodes":[{"id":"go.micro.srv.x-1","address":"10.0.0.9:41000","metadata":{"protocol":"grpc"}}]})");
  REQUIRE(go);
  CHECK(go->endpoints.at(0).request == "Request");
  CHECK(go->nodes.at(0).meta.at("protocol") == "grpc");

  for (std::string bad : {"", "[]", "{}", R"({"name":"x","nodes":[]})",
                          R"({"name":"x","nodes":[{"id":"a","address":"h:1"},{"id":"b","address":"h:2"}]})",
                          R"({"name":"x","nodes":[{"id":"","address":"h:1"}]})",
                          R"({"name":"x","nodes":[{"id":"a","address":7}]})"})
    CHECK_FALSE(decode_etcd_value(bad));
}

TEST_CASE("the etcd node table turns key changes into per-version events") {
  etcd_node_table table;
  auto created = table.put("k1", {one_node("greeter", "1", "n1"), 5});
  REQUIRE(created.size() == 1);
  CHECK(created[0].type == event_type::create);
  CHECK(created[0].revision == 5);

  auto grown = table.put("k2", {one_node("greeter", "1", "n2"), 6});
  REQUIRE(grown.size() == 1);
  CHECK(grown[0].type == event_type::update);
  CHECK(grown[0].svc.nodes.size() == 2);

  CHECK(table.put("k2", {one_node("greeter", "1", "n2"), 7}).empty());  // same content: no event

  // A node moving to another version: an update of the old one, a create of the new one.
  auto moved = table.put("k2", {one_node("greeter", "2", "n2"), 8});
  REQUIRE(moved.size() == 2);
  CHECK(moved[0].type == event_type::update);
  CHECK(moved[0].svc.version == "1");
  CHECK(moved[1].type == event_type::create);
  CHECK(moved[1].svc.version == "2");

  auto gone = table.remove("k1", 9);
  REQUIRE(gone.size() == 1);
  CHECK(gone[0].type == event_type::remove);
  CHECK(gone[0].svc.nodes.at(0).id == "n1");
  CHECK(table.remove("k1", 10).empty());

  // After a reconnect: what changed meanwhile, as events.
  auto diff = table.reset({{"k3", {one_node("auth", "", "a1"), 12}}}, 12);
  REQUIRE(diff.size() == 2);
  CHECK(diff[0].type == event_type::create);
  CHECK(diff[0].svc.name == "auth");
  CHECK(diff[1].type == event_type::remove);
  CHECK(diff[1].svc.name == "greeter");
  CHECK(diff[1].revision == 12);
}

TEST_CASE("etcd entries group into one service per version, nodes sorted") {
  std::map<std::string, etcd_entry> entries{{"a", {one_node("s", "1", "z"), 1}},
                                            {"b", {one_node("s", "1", "m"), 2}},
                                            {"c", {one_node("t", "", "t1"), 3}}};
  entries["b"].svc.meta = {{"newest", "yes"}};
  auto all = group_etcd_entries(entries);
  REQUIRE(all.size() == 2);
  CHECK(all[0].nodes.size() == 2);
  CHECK(all[0].nodes[0].id == "m");
  CHECK(all[0].meta.at("newest") == "yes");
  CHECK(group_etcd_entries(entries, "t").size() == 1);
}

TEST_CASE("etcd answers of any JSON shape are read without an exception") {
  // The watch thread used nlohmann's value(), which throws on a field of another type: an event
  // that is a number, or "canceled": "yes", ended the process (fuzz/corpus/etcd_answer).
  auto j = nlohmann::json::parse(
      R"({"result":{"canceled":"yes","header":{"revision":"12"},"events":[1,{"kv":5},{"kv":{"key":7,"value":[]}},)"
      R"({"type":"DELETE","kv":{"key":"YQ==","mod_revision":"11"}}]},"header":[],"kvs":{}})");
  auto message = decode_etcd_watch_message(j);
  CHECK_FALSE(message.canceled);
  CHECK(message.header_revision == 12);
  REQUIRE(message.changes.size() == 4);
  CHECK_FALSE(message.changes[0].kv);
  CHECK_FALSE(message.changes[2].kv);
  REQUIRE(message.changes[3].kv);
  CHECK(message.changes[3].deleted);
  CHECK(message.changes[3].kv->key == "a");
  CHECK(message.changes[3].revision == 11);
  CHECK(decode_etcd_range(j).empty());
  CHECK(etcd_header_revision(j) == 0);
  CHECK(etcd_int_field(nlohmann::json{{"n", "12x"}}, "n") == 0);
  CHECK(etcd_int_field(nlohmann::json{{"n", "-3"}}, "n") == -3);
  CHECK(etcd_string_field(nlohmann::json{{"message", 5}}, "message").empty());
}
