#include <catch2/catch.hpp>

#include "transport/transport.hpp"

using namespace micro::transport;

TEST_CASE("make_transport knows tcp and memory, and names them for an unknown one", "[factory]") {
  for (const auto& name : transport_names()) {
    auto t = make_transport(name);
    REQUIRE(t.ok());
    CHECK(t.value->name() == name);
  }
  auto bad = make_transport("carrier-pigeon");
  CHECK(bad.st.code == errc::unknown_transport);
  CHECK(bad.st.message.find("carrier-pigeon") != std::string::npos);
  CHECK(bad.st.message.find("tcp") != std::string::npos);
  CHECK(bad.value == nullptr);
}
