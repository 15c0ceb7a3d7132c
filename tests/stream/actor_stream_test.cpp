// Streams from inside an actor (micro/actor_api.hpp): nothing blocks the actor; messages,
// writability and the end arrive as stream_events, in order.
#include <future>

#include <catch2/catch.hpp>

#include "micro/actor_api.hpp"
#include "stream_helpers.hpp"

using namespace micro::test;

namespace {

struct echo_outcome {
  uint64_t received = 0;
  bool in_order = true;
  int writable_events = 0;
  int refused_sends = 0;
  bool opened = false;
  int32_t code = -1;
  std::string detail;
};

// Sends `total` numbered messages as fast as credit allows, reads the echoes, half-closes
// after the last send, and reports once the stream is closed.
caf::behavior echo_actor(caf::event_based_actor* self, micro::client* c, uint64_t total, uint32_t window,
                         std::promise<echo_outcome>* done) {
  auto out = std::make_shared<echo_outcome>();
  auto sent = std::make_shared<uint64_t>(0);
  auto s = std::make_shared<micro::async_stream>(micro::open_stream_async(
    self, *c, {}, "streams", "Stream.Echo", micro::stream_options{}.with_window(window)));
  auto pump = [s, sent, out, total] {
    while (*sent < total) {
      auto st = s->try_send(numbered(*sent, 64));
      if (!st) {
        if (st.error().code == 429)
          ++out->refused_sends;  // a writable event comes once there is room
        return;
      }
      if (++*sent == total)
        s->close_send();
    }
  };
  return {
    [=](const micro::stream_event& ev) {
      switch (ev.what) {
        case micro::stream_event::kind::opened:
          out->opened = true;
          pump();
          break;
        case micro::stream_event::kind::writable:
          ++out->writable_events;
          pump();
          break;
        case micro::stream_event::kind::message:
          out->in_order = out->in_order && sequence_of(ev.body) == out->received;
          ++out->received;
          break;
        case micro::stream_event::kind::closed:
          out->code = ev.code;
          out->detail = ev.detail;
          done->set_value(*out);
          self->quit();
          break;
      }
    },
  };
}

}  // namespace

TEST_CASE("an actor streams 10,000 messages each way without blocking and in order", "[stream][actor]") {
  auto server = start_stream_server();
  auto client = make_client(server);
  std::promise<echo_outcome> done;
  auto finished = done.get_future();
  auto rt = client->internals().rt;
  rt->system().spawn(echo_actor, client.get(), uint64_t{10000}, uint32_t{16}, &done);
  REQUIRE(finished.wait_for(30s) == std::future_status::ready);
  auto out = finished.get();
  CHECK(out.opened);
  CHECK(out.code == 0);
  CHECK(out.received == 10000);
  CHECK(out.in_order);
  // With a window of 16 the actor runs out of credit and is told when it may go on.
  CHECK(out.refused_sends > 0);
  CHECK(out.writable_events > 0);
  CHECK(eventually([] { return micro::live_streams() == 0; }));
}

TEST_CASE("an actor hears a failed open as a closed event with the code", "[stream][actor]") {
  auto server = start_stream_server();
  auto client = make_client(server);
  std::promise<std::pair<int32_t, int32_t>> done;  // the event's code, then try_send's after it
  auto finished = done.get_future();
  client->internals().rt->system().spawn([&](caf::event_based_actor* self) -> caf::behavior {
    auto s = std::make_shared<micro::async_stream>(micro::open_stream_async(self, *client, {}, "streams", "Stream.Nope"));
    return {[=, &done](const micro::stream_event& ev) {
      if (ev.what == micro::stream_event::kind::closed) {
        done.set_value({ev.code, s->try_send("x").error().code});
        self->quit();
      }
    }};
  });
  REQUIRE(finished.wait_for(10s) == std::future_status::ready);
  auto codes = finished.get();
  CHECK(codes.first == 404);
  CHECK(codes.second == 404);
}

TEST_CASE("an actor that stops mid-stream cancels it on the server", "[stream][actor]") {
  auto server = start_stream_server();
  auto client = make_client(server);
  client->internals().rt->system().spawn([&](caf::event_based_actor* self) -> caf::behavior {
    auto s = std::make_shared<micro::async_stream>(micro::open_stream_async(self, *client, {}, "streams", "Stream.Wait"));
    return {[=](const micro::stream_event& ev) {
      if (ev.what == micro::stream_event::kind::opened) {
        s->try_send("one");
        self->quit();  // gone without closing: its stream must not stay open
      }
    }};
  });
  auto ev = wait_stream_end(server, "Stream.Wait");
  REQUIRE(ev.is_object());
  CHECK(ev["code"] == micro::stream_cancelled_code);
}
