// broker/'s factory: the one table of backend names. No server and no runtime here: the
// `actor` name is declared by the table but made above (its maker is installed by micro's
// runtime), so this process has the name without the maker.
#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <vector>

#include "broker/factory.hpp"

using micro::broker::errc;

namespace {

// A stand-in for a backend installed from above.
class fake_backend final : public micro::broker::backend {
 public:
  std::string name() const override { return "actor"; }
  micro::broker::status publish(const micro::broker::message&) override { return {}; }
  micro::broker::status publish_async(const micro::broker::message&) override { return {}; }
  micro::broker::status flush() override { return {}; }
  micro::broker::status publish_batch(const std::vector<micro::broker::message>&) override { return {}; }
  micro::broker::result<std::unique_ptr<micro::broker::subscription>> subscribe(const std::string&,
                                                                              const micro::broker::subscribe_options&,
                                                                              micro::broker::deliver_fn) override {
    return {};
  }
};

}  // namespace

TEST_CASE("factory knows actor and nats", "[factory]") {
  CHECK(micro::broker::backend_names() == std::vector<std::string>{"actor", "nats"});
}

TEST_CASE("factory refuses an unknown name with invalid_argument listing the known ones", "[factory]") {
  for (const char* name : {"kafka", "", "NATS", "actor "}) {
    auto r = micro::broker::make_backend(name, micro::broker::backend_params{});
    INFO(name << ": " << r.st.message);
    REQUIRE_FALSE(r.ok());
    CHECK(r.st.code == errc::invalid_argument);
    CHECK(r.value == nullptr);
    CHECK(r.st.message.find("\"" + std::string{name} + "\"") != std::string::npos);
    CHECK(r.st.message.find("known: actor, nats") != std::string::npos);
  }
}

TEST_CASE("factory: actor without micro's runtime is unavailable, with its maker installed it is made", "[factory]") {
  auto none = micro::broker::make_backend("actor", micro::broker::backend_params{});
  INFO(none.st.message);
  CHECK(none.st.code == errc::unavailable);
  CHECK(none.value == nullptr);
  CHECK(none.st.message.find("runtime") != std::string::npos);

  // What actors/actor_backend.cpp does when the runtime starts; only declared names take one.
  CHECK_FALSE(micro::broker::install_backend("kafka", [](const micro::broker::backend_params&) {
    return micro::broker::result<std::shared_ptr<micro::broker::backend>>{};
  }));
  std::string seen_address;
  REQUIRE(micro::broker::install_backend("actor", [&](const micro::broker::backend_params& p) {
    seen_address = p.address;
    return micro::broker::result<std::shared_ptr<micro::broker::backend>>{{}, std::make_shared<fake_backend>()};
  }));
  micro::broker::backend_params params;
  params.address = "unused";
  auto made = micro::broker::make_backend("actor", params);
  REQUIRE(made.ok());
  CHECK(made.value->name() == "actor");
  CHECK(seen_address == "unused");
  micro::broker::install_backend("actor", nullptr);  // as this process had it
  CHECK(micro::broker::make_backend("actor", micro::broker::backend_params{}).st.code == errc::unavailable);
}
