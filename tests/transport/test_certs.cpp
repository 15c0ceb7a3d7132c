#include "test_certs.hpp"

#include <cstdlib>
#include <filesystem>

#include <catch2/catch.hpp>

namespace transport_test {

namespace {

// One shell line per step; EC keys keep it fast (a few ms each).
std::string script(const std::string& d) {
  const std::string key = "openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes";
  auto ca = [&](const std::string& name, const std::string& cn) {
    return "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout " + d + "/" + name +
           ".key -out " + d + "/" + name + ".crt -days 2 -subj /CN=" + cn + " && ";
  };
  auto signed_by = [&](const std::string& name, const std::string& by, const std::string& days) {
    return key + " -keyout " + d + "/" + name + ".key -out " + d + "/" + name + ".csr -subj /CN=" + name + " && " +
           "openssl x509 -req -in " + d + "/" + name + ".csr -CA " + d + "/" + by + ".crt -CAkey " + d + "/" + by +
           ".key -CAcreateserial -out " + d + "/" + name + ".crt -days " + days + " && ";
  };
  return "( " + ca("ca", "micro-test-ca") + ca("stranger-ca", "stranger-ca") + signed_by("node", "ca", "2") +
         signed_by("expired", "ca", "-1") + signed_by("stranger", "stranger-ca", "2") + "true ) >/dev/null 2>&1";
}

}  // namespace

test_certs::test_certs() {
  char tmpl[] = "/tmp/micro-tls-XXXXXX";
  REQUIRE(::mkdtemp(tmpl) != nullptr);
  dir_ = tmpl;
  REQUIRE(std::system(script(dir_).c_str()) == 0);
  for (auto* f : {"ca.crt", "node.crt", "node.key", "expired.crt", "stranger.crt", "stranger-ca.crt"})
    REQUIRE(std::filesystem::exists(path(f)));
}

test_certs::~test_certs() {
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

}  // namespace transport_test
