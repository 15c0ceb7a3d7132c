// Generated clients against generated handlers: across two processes (codegen-shapes-server,
// found through the static registry on loopback) for every rpc shape, and in process for what
// the Register functions advertise and reject.
#include <algorithm>
#include <memory>

#include <catch2/catch.hpp>

#include "micro/micro.hpp"
#include "process.hpp"
#include "shapes_impl.hpp"

using namespace std::chrono_literals;
namespace v1 = acme::micro::v1;
using micro::test::process;
using micro::test::stream;

namespace {

struct remote {
  std::unique_ptr<process> proc;
  std::unique_ptr<micro::client> client;
};

// Starts codegen-shapes-server on 127.0.0.1:0 and a client that finds it as "shapes"; the
// address comes from the server's "listening on" log line, not from a sleep.
remote start_remote() {
  remote r;
  r.proc = std::make_unique<process>(micro::test::sibling_binary("codegen-shapes-server"), std::vector<std::string>{},
                                     std::map<std::string, std::string>{{"MICRO_REGISTRY", "static"},
                                                                        {"MICRO_REGISTRY_ADDRESS", "unused=127.0.0.1:9"},
                                                                        {"MICRO_SERVER_ADDRESS", "127.0.0.1:0"}});
  auto line = r.proc->wait_for_line(stream::err, "listening on ", 30s);
  if (!line)
    FAIL("codegen-shapes-server did not start; its output:\n" << r.proc->transcript());
  auto from = line->find("listening on ") + std::string{"listening on "}.size();
  auto to = line->find(',', from);
  auto address = line->substr(from, to == std::string::npos ? std::string::npos : to - from);
  r.client = std::make_unique<micro::client>(micro::options{}.with_registry("static", "shapes=" + address));
  return r;
}

v1::Number number(int64_t v) {
  v1::Number n;
  n.set_value(v);
  return n;
}

}  // namespace

TEST_CASE("a generated client calls every rpc shape of a generated handler in another process", "[codegen]") {
  auto r = start_remote();
  v1::ShapesClient shapes{*r.client, "shapes"};

  auto doubled = shapes.Double(number(21));
  REQUIRE(doubled.ok());
  CHECK(doubled->value() == 42);

  auto counted = shapes.Count(number(4));  // server streaming: the request is sent already
  REQUIRE(counted.ok());
  std::vector<int64_t> values;
  v1::Number n;
  while (counted->recv(n))
    values.push_back(n.value());
  CHECK(values == std::vector<int64_t>{1, 2, 3, 4});
  CHECK(counted->final_status().ok());

  auto added = shapes.Add();  // client streaming: many in, one out
  REQUIRE(added.ok());
  for (int64_t v : {5, 6, 7})
    REQUIRE(added->send(number(v)).ok());
  REQUIRE(added->close_send().ok());
  v1::Sum sum;
  REQUIRE(added->recv(sum));
  CHECK(sum.total() == 18);
  CHECK(sum.count() == 3);
  CHECK(!added->recv(sum));
  CHECK(added->final_status().ok());

  auto echoed = shapes.Echo();  // bidirectional, in lockstep
  REQUIRE(echoed.ok());
  v1::Outer_Inner in, out;
  for (const char* text : {"one", "two"}) {
    in.set_text(text);
    REQUIRE(echoed->send(in).ok());
    REQUIRE(echoed->recv(out));
    CHECK(out.text() == text);
  }
  CHECK(echoed->finish().ok());

  v1::Client who;  // the method called `call`, with the message called Client
  who.set_name("me");
  auto called = shapes.call(who);
  REQUIRE(called.ok());
  CHECK(called->name() == "called me");

  auto streamed = shapes.stream(google::protobuf::Empty{});  // the method called `stream`
  REQUIRE(streamed.ok());
  std::vector<std::string> names;
  while (streamed->recv(who))
    names.push_back(who.name());
  CHECK(names == std::vector<std::string>{"a", "b"});

  auto summed = shapes.Sum(number(9));  // the method named like its response type
  REQUIRE(summed.ok());
  CHECK(summed->total() == 9);

  TopClient top{*r.client, "shapes"};  // a service of a file without a package
  TopRequest hi;
  hi.set_text("hi");
  auto answered = top.Say(hi);
  REQUIRE(answered.ok());
  CHECK(answered->text() == "top: hi");

  v1::AdminClient admin{*r.client, "shapes"};
  CHECK(admin.Ping(google::protobuf::Empty{}).ok());
}

TEST_CASE("error codes, contexts and options cross the generated path", "[codegen]") {
  auto r = start_remote();
  v1::ShapesClient shapes{*r.client, "shapes"};

  auto failed = shapes.Fail(number(418));
  REQUIRE(!failed.ok());
  CHECK(failed.error().code == 418);
  CHECK(failed.error().id == "shapes");
  CHECK(failed.error().detail == "failed as asked");

  // The parent context's metadata reaches the handler.
  micro::context parent{"caller", "Caller.Run", {{"x-who", "tester"}}, micro::context::clock::time_point::max()};
  v1::Client who;
  who.set_name("me");
  auto called = shapes.call(parent, who);
  REQUIRE(called.ok());
  CHECK(called->name() == "called me by tester");

  // Per-call options still apply: a JSON call reaches the protobuf handler.
  auto as_json = shapes.Double(number(4), micro::call_options{}.with_content_type("application/json"));
  REQUIRE(as_json.ok());
  CHECK(as_json->value() == 8);

  // A service name nobody registered: 404 from the client, no crash.
  v1::ShapesClient nobody{*r.client, "nobody"};
  auto missing = nobody.Double(number(1));
  REQUIRE(!missing.ok());
  CHECK(missing.error().code == 404);

  // A server-streaming rpc whose client half-closed without a request is refused with 400 by
  // the generated registration (the raw stream can do what the typed client never does).
  auto raw = r.client->stream<v1::Number, v1::Number>("shapes", "Shapes.Count");
  REQUIRE(raw.ok());
  REQUIRE(raw->close_send().ok());
  v1::Number n;
  CHECK(!raw->recv(n));
  CHECK(raw->final_status().error().code == 400);
}

TEST_CASE("Register advertises endpoints with their message types and rejects unknown options", "[codegen]") {
  micro::server srv;
  codegen_test::shapes_impl impl;
  acme::micro::v1::RegisterShapesHandler(srv, impl, {{"Double", micro::endpoint_options{}.with_idempotent()}});
  auto eps = srv.endpoints();
  auto find = [&eps](const std::string& name) {
    auto it = std::find_if(eps.begin(), eps.end(), [&](const micro::registry::endpoint& e) { return e.name == name; });
    return it == eps.end() ? micro::registry::endpoint{} : *it;
  };
  // go-micro's names: Service.Method; types as `micro describe` shows them.
  auto dbl = find("Shapes.Double");
  CHECK(dbl.request == "acme.micro.v1.Number");
  CHECK(dbl.response == "acme.micro.v1.Number");
  CHECK(dbl.meta.at(micro::idempotent_key) == "true");
  auto echo = find("Shapes.Echo");
  CHECK(echo.request == "acme.micro.v1.Outer.Inner");
  CHECK(echo.meta.at(micro::stream_endpoint_key) == "true");
  CHECK(find("Shapes.call").response == "acme.micro.v1.Client");
  CHECK(find("Shapes.stream").request == "google.protobuf.Empty");

  micro::server other;
  try {
    acme::micro::v1::RegisterShapesHandler(other, impl, {{"Count", micro::endpoint_options{}.with_idempotent()}});
    FAIL("options for a streaming rpc were accepted");
  } catch (const micro::error& e) {
    CHECK(e.code == 400);
    CHECK(e.detail.find("Count is no unary rpc of Shapes") != std::string::npos);
  }
}
