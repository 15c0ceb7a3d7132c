// Limits on what a caller sends, across processes (README "Security"): metadata past
// actors/metadata_limits.hpp and a body past the codec's max message size are 400s with a
// message naming the limit, over both transports ([rpc] runs again with tcp).
#include <catch2/catch.hpp>

#include "greeter.pb.h"
#include "harness.hpp"

using namespace micro::test;

TEST_CASE("metadata past its limits is a 400 naming the limit, within them the call runs",
          "[integration][rpc][limits]") {
  auto srv = start_test_server();
  auto client = make_client(srv);
  greeter::Request req;
  req.set_name("John");

  micro::call_options many;
  for (int i = 0; i < 129; ++i)
    many.with_metadata("k" + std::to_string(i), "v");
  auto refused = client->call<greeter::Response>("test", "Test.Echo", req, many);
  REQUIRE_FALSE(refused.ok());
  INFO(refused.error().to_json());
  CHECK(refused.error().code == 400);
  CHECK(refused.error().detail.find("metadata has 129 entries, limit 128") != std::string::npos);

  auto big = client->call<greeter::Response>("test", "Test.Echo", req,
                                             micro::call_options{}.with_metadata("token", std::string(16385, 't')));
  REQUIRE_FALSE(big.ok());
  CHECK(big.error().code == 400);
  CHECK(big.error().detail.find("16385 bytes, limit 16384") != std::string::npos);

  micro::call_options fits;
  for (int i = 0; i < 127; ++i)
    fits.with_metadata("k" + std::to_string(i), "v");
  fits.with_metadata("token", std::string(16384, 't'));
  auto ok = client->call<greeter::Response>("test", "Test.Echo", req, fits);
  INFO((ok ? "" : ok.error().to_json()));
  CHECK(ok.ok());
}
