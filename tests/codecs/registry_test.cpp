#include <catch2/catch.hpp>

#include <stdexcept>
#include <thread>

#include "codecs/codec.hpp"
#include "greeter.pb.h"
#include "test_types.hpp"

using namespace micro::codecs;

namespace {

struct temperature {
  double celsius = 0;
};

// A user codec: text/plain for std::string (as is) and for temperature ("21.5C").
class text_codec : public codec {
 public:
  std::string_view content_type() const noexcept override { return "text/plain"; }
  std::vector<std::string> aliases() const override { return {"text/x-plain"}; }
  bool can_encode(const message_view& v) const noexcept override {
    return v.get_if<std::string>() || v.get_if<temperature>();
  }
  bool can_decode(const mutable_message_view& v) const noexcept override {
    return v.get_if<std::string>() || v.get_if<temperature>();
  }
  status encode(const message_view& v, std::string& out) const override {
    if (auto* s = v.get_if<std::string>())
      out = *s;
    else
      out = std::to_string(static_cast<int>(v.get_if<temperature>()->celsius)) + "C";
    return status::success();
  }
  status decode(std::string_view in, const mutable_message_view& v) const override {
    if (auto* s = v.get_if<std::string>()) {
      s->assign(in);
      return status::success();
    }
    if (in.empty() || in.back() != 'C') return decode_error(v, "expected a number followed by C");
    v.get_if<temperature>()->celsius = std::stod(std::string(in.substr(0, in.size() - 1)));  // may throw
    return status::success();
  }
};

// A codec that breaks the rules by throwing.
class throwing_codec : public codec {
 public:
  std::string_view content_type() const noexcept override { return "application/x-boom"; }
  bool can_encode(const message_view&) const noexcept override { return true; }
  bool can_decode(const mutable_message_view&) const noexcept override { return true; }
  status encode(const message_view&, std::string& out) const override {
    out = "partial";
    throw std::runtime_error("boom");
  }
  status decode(std::string_view, const mutable_message_view&) const override { throw 42; }
};

}  // namespace

TEST_CASE("default registry holds the four built-ins in order", "[registry]") {
  auto types = default_codecs().content_types();
  REQUIRE(types.size() >= 4);
  CHECK(types[0] == "application/protobuf");
  CHECK(types[1] == "application/json");
  CHECK(types[2] == "application/msgpack");
  CHECK(types[3] == "application/octet-stream");
}

TEST_CASE("lookup ignores case, parameters and blanks", "[registry]") {
  const auto& r = default_codecs();
  const codec* json = r.find("application/json");
  REQUIRE(json != nullptr);
  CHECK(r.find("application/json; charset=utf-8") == json);
  CHECK(r.find("Application/JSON") == json);
  CHECK(r.find("  application/json ;charset=UTF-8") == json);
  CHECK(r.find("application/jsonx") == nullptr);
  CHECK(r.find("") == nullptr);
  CHECK(r.find("; charset=utf-8") == nullptr);

  nlohmann::json v;
  REQUIRE(decode("APPLICATION/JSON; charset=utf-8", "[1]", v));
  CHECK(v == nlohmann::json::array({1}));
}

TEST_CASE("aliases find the built-in codecs", "[registry]") {
  const auto& r = default_codecs();
  for (auto alias : {"application/x-protobuf", "application/x-proto", "application/proto",
                     "application/vnd.google.protobuf"})
    CHECK(r.find(alias) == r.find(content_type::protobuf));
  CHECK(r.find("text/json") == r.find(content_type::json));
  CHECK(r.find("application/x-json") == r.find(content_type::json));
  CHECK(r.find("application/x-msgpack") == r.find(content_type::msgpack));
  CHECK(r.find("application/vnd.msgpack; x=1") == r.find(content_type::msgpack));
  CHECK(r.supports("application/octet-stream"));
  CHECK_FALSE(r.supports("application/grpc"));

  greeter::Response rsp;
  rsp.set_msg("m");
  std::string body;
  REQUIRE(encode("application/x-protobuf", rsp, body));
  CHECK(body == rsp.SerializeAsString());
}

TEST_CASE("unknown content type lists the supported ones", "[registry]") {
  std::string body = "leftover";
  auto st = encode("text/yaml", std::string("x"), body);
  CHECK(st.code == errc::unknown_content_type);
  CHECK(st.message ==
        "unknown content type \"text/yaml\"; supported: application/protobuf, application/json, "
        "application/msgpack, application/octet-stream");
  CHECK(body.empty());

  int n = 0;
  st = decode("", "1", n);
  CHECK(st.code == errc::unknown_content_type);
  CHECK_THAT(st.message, Catch::StartsWith("missing content type"));

  codec_registry empty;
  st = encode(empty, "application/json", 1, body);
  CHECK(st.code == errc::unknown_content_type);
  CHECK_THAT(st.message, Catch::EndsWith("supported: none"));
}

TEST_CASE("a user codec can be registered and used", "[registry]") {
  codec_registry r = default_codecs();  // a copy: the default registry stays untouched
  r.add(std::make_shared<text_codec>());
  CHECK(r.supports("text/plain; charset=utf-8"));
  CHECK(r.supports("text/x-plain"));
  CHECK_FALSE(default_codecs().supports("text/plain"));
  CHECK(r.content_types().back() == "text/plain");

  std::string body;
  REQUIRE(encode(r, "text/plain", temperature{21.0}, body));
  CHECK(body == "21C");
  temperature t;
  REQUIRE(decode(r, "text/plain", "30C", t));
  CHECK(t.celsius == 30.0);

  auto st = decode(r, "text/plain", "30F", t);
  CHECK(st.code == errc::undecodable);
  CHECK_THAT(st.message, Catch::Contains("text/plain") && Catch::Contains("temperature"));

  st = decode(r, "text/plain", "xC", t);  // std::stod throws; the entry point catches
  CHECK(st.code == errc::undecodable);

  st = encode(r, "text/plain", 5, body);
  CHECK(st.code == errc::unsupported_type);
  CHECK(st.message == "codec text/plain cannot encode int");

  // Built-ins still work through the extended registry; temperature is not JSON.
  st = encode(r, "application/json", temperature{}, body);
  CHECK(st.code == errc::unsupported_type);
}

TEST_CASE("adding a codec with the same content type replaces it", "[registry]") {
  codec_registry r;
  r.add(std::make_shared<bytes_codec>());
  r.add(std::make_shared<text_codec>());
  const codec* first = r.find("text/plain");
  r.add(std::make_shared<text_codec>());
  const codec* second = r.find("TEXT/PLAIN");
  CHECK(first != second);
  CHECK(r.content_types() == std::vector<std::string>{"application/octet-stream", "text/plain"});
  CHECK(first->content_type() == "text/plain");  // the replaced codec is still alive

  CHECK_THROWS_AS(r.add(nullptr), std::invalid_argument);
}

TEST_CASE("exceptions thrown by a codec never escape", "[registry]") {
  codec_registry r;
  r.add(std::make_shared<throwing_codec>());
  std::string body;
  auto st = encode(r, "application/x-boom", 1, body);
  CHECK(st.code == errc::encode_failed);
  CHECK_THAT(st.message, Catch::Contains("boom"));
  CHECK(body.empty());
  int n = 0;
  st = decode(r, "application/x-boom", "1", n);
  CHECK(st.code == errc::undecodable);
  CHECK_THAT(st.message, Catch::Contains("unknown exception"));
}

TEST_CASE("registry lookups and additions may run concurrently", "[registry]") {
  codec_registry r = default_codecs();
  std::thread writer([&] {
    for (int i = 0; i < 200; ++i) r.add(std::make_shared<text_codec>());
  });
  int found = 0;
  for (int i = 0; i < 2000; ++i) {
    std::string out;
    if (encode(r, "application/json", 1, out) && out == "1") ++found;
  }
  writer.join();
  CHECK(found == 2000);
  CHECK(r.content_types().size() == 5);
}

TEST_CASE("status and errc", "[status]") {
  CHECK(status::success().ok());
  CHECK(static_cast<bool>(status::success()));
  status bad{errc::undecodable, "x"};
  CHECK_FALSE(bad.ok());
  CHECK_FALSE(static_cast<bool>(bad));
  CHECK(std::string(to_string(errc::ok)) == "ok");
  CHECK(std::string(to_string(errc::unknown_content_type)) == "unknown_content_type");
  CHECK(std::string(to_string(errc::undecodable)) == "undecodable");
  CHECK(std::string(to_string(errc::unsupported_type)) == "unsupported_type");
  CHECK(std::string(to_string(errc::encode_failed)) == "encode_failed");
}
