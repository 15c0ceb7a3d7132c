// result<T> and status: a value or an error; value() throws the error itself.
#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <vector>

#include "micro/result.hpp"

namespace {

micro::result<int> half(int n) {
  if (n % 2 != 0)
    return micro::errors::bad_request("test", "odd: " + std::to_string(n));
  return n / 2;
}

}  // namespace

TEST_CASE("result holds a value", "[result]") {
  auto r = half(8);
  REQUIRE(r.ok());
  CHECK(static_cast<bool>(r));
  CHECK(r.value() == 4);
  CHECK(*r == 4);
  *r = 7;  // a mutable reference to the held value
  CHECK(r.value() == 7);
}

TEST_CASE("result holds an error", "[result]") {
  auto r = half(3);
  REQUIRE_FALSE(r.ok());
  CHECK_FALSE(static_cast<bool>(r));
  CHECK(r.error().code == 400);
  CHECK(r.error().status == "Bad Request");
  CHECK(r.error().id == "test");
  CHECK(r.error().detail == "odd: 3");
}

TEST_CASE("result value() throws the held error", "[result]") {
  auto r = half(5);
  SECTION("lvalue") {
    try {
      static_cast<void>(r.value());
      FAIL("value() did not throw");
    } catch (const micro::error& e) {
      CHECK(e == r.error());
    }
  }
  SECTION("const lvalue") {
    const auto& cr = r;
    CHECK_THROWS_AS(cr.value(), micro::error);
    CHECK_THROWS_AS(*cr, micro::error);
  }
  SECTION("rvalue") {
    CHECK_THROWS_AS(std::move(r).value(), micro::error);
  }
  SECTION("operator-> and operator*") {
    micro::result<std::string> s = micro::errors::not_found("x", "gone");
    CHECK_THROWS_AS(s->size(), micro::error);
    CHECK_THROWS_AS(*s, micro::error);
    try {
      static_cast<void>(s->size());
    } catch (const micro::error& e) {
      CHECK(e.code == 404);
      CHECK(e.detail == "gone");
    }
  }
}

TEST_CASE("result gives access to members and moves values out", "[result]") {
  micro::result<std::string> s = std::string{"hello"};
  CHECK(s->size() == 5);
  const auto& cs = s;
  CHECK(cs->front() == 'h');

  micro::result<std::unique_ptr<int>> p = std::make_unique<int>(42);
  REQUIRE(p.ok());
  std::unique_ptr<int> taken = std::move(p).value();
  REQUIRE(taken);
  CHECK(*taken == 42);

  micro::result<std::vector<int>> v = std::vector<int>{1, 2, 3};
  auto moved = std::move(v).value();
  CHECK(moved == std::vector<int>{1, 2, 3});
}

TEST_CASE("status is ok by default and carries an error otherwise", "[result]") {
  micro::status ok;
  CHECK(ok.ok());
  CHECK(static_cast<bool>(ok));

  micro::status failed = micro::errors::timeout("svc", "too slow");
  CHECK_FALSE(failed.ok());
  CHECK_FALSE(static_cast<bool>(failed));
  CHECK(failed.error().code == 408);
  CHECK(failed.error().detail == "too slow");
}
