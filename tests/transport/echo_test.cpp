// What every transport must do: calls multiplexed by id on one connection, limits enforced.
#include <catch2/catch.hpp>

#include <atomic>
#include <map>
#include <thread>

#include "helpers.hpp"

using namespace transport_test;

TEST_CASE("many calls from several threads share one connection and each gets its own answer", "[echo]") {
  auto backend = GENERATE(std::string{"tcp"}, std::string{"memory"});
  limits roomy;
  roomy.max_calls_in_flight = 4096;  // all 2,000 may be in flight at once
  echo_server server{backend, roomy};
  transport_options options;
  options.limits = roomy;
  auto client = make_transport(backend, options).value;

  std::mutex mutex;
  std::condition_variable done;
  std::map<uint64_t, std::string> answers;
  connection_handlers h;
  h.on_frame = [&](const connection_ptr&, frame&& f) {
    std::lock_guard lock{mutex};
    answers[f.id] = std::move(f.body);
    done.notify_all();
  };
  auto c = client->dial(server.address(), h);
  REQUIRE(c.ok());
  constexpr int threads = 4, per_thread = 500;
  std::atomic<int> refused{0};  // Catch's REQUIRE is not for other threads
  std::vector<std::thread> senders;
  for (int t = 0; t < threads; ++t)
    senders.emplace_back([&, t] {
      for (int i = 0; i < per_thread; ++i) {
        uint64_t id = t * per_thread + i;
        if (!c.value->send(frame{frame_kind::request, 0, id, "call " + std::to_string(id)}).ok()) ++refused;
      }
    });
  for (auto& s : senders) s.join();
  REQUIRE(refused == 0);
  std::unique_lock lock{mutex};
  REQUIRE(done.wait_for(lock, 10s, [&] { return answers.size() == threads * per_thread; }));
  for (auto& [id, body] : answers) CHECK(body == "call " + std::to_string(id));
  CHECK(server.log.lines().empty());
}

TEST_CASE("dialing an address nobody listens on is connect_failed", "[echo]") {
  auto backend = GENERATE(std::string{"tcp"}, std::string{"memory"});
  auto t = make_transport(backend).value;
  std::string address;
  {
    echo_server gone{backend};
    address = gone.address();
  }
  auto c = t->dial(address, {});
  CHECK(c.st.code == errc::connect_failed);
  CHECK(t->dial("no-port-here", {}).st.code == (backend == "tcp" ? errc::invalid_address : errc::connect_failed));
}

TEST_CASE("a caller cannot send more calls in flight or bigger frames than the limits", "[echo]") {
  auto backend = GENERATE(std::string{"tcp"}, std::string{"memory"});
  limits lim;
  lim.max_calls_in_flight = 3;
  lim.max_frame_size = 100;
  echo_server server{backend, lim, /*hold_requests=*/true};
  transport_options options;
  options.limits = lim;
  auto client = make_transport(backend, options).value;
  auto c = client->dial(server.address(), {});
  REQUIRE(c.ok());
  for (uint64_t id = 0; id < 3; ++id) REQUIRE(c.value->send(frame{frame_kind::request, 0, id, "x"}).ok());
  CHECK(c.value->send(frame{frame_kind::request, 0, 3, "x"}).code == errc::too_many_calls);
  CHECK(c.value->send(frame{frame_kind::response, 0, 3, std::string(101, 'x')}).code == errc::frame_too_large);
  CHECK(c.value->is_open());
}

TEST_CASE("a peer over the calls-in-flight limit is closed, and told why", "[echo]") {
  auto backend = GENERATE(std::string{"tcp"}, std::string{"memory"});
  limits strict;
  strict.max_calls_in_flight = 2;
  echo_server server{backend, strict, /*hold_requests=*/true};
  auto client = make_transport(backend).value;  // default limits: it may send more
  auto closed = std::make_shared<std::promise<status>>();
  connection_handlers h;
  h.on_close = [closed](const connection_ptr&, const status& why) { closed->set_value(why); };
  auto c = client->dial(server.address(), h);
  REQUIRE(c.ok());
  for (uint64_t id = 0; id < 3; ++id) c.value->send(frame{frame_kind::request, 0, id, "x"});
  auto why = closed->get_future();
  REQUIRE(why.wait_for(5s) == std::future_status::ready);
  CHECK(why.get().code == errc::too_many_calls);
  auto lines = server.log.wait_for(1);
  REQUIRE(lines.size() == 1);
  CHECK(lines[0].find("too_many_calls") != std::string::npos);
  CHECK(client->dial(server.address(), {}).ok());  // the listener serves on
}
