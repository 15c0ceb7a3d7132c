// Trace context across processes (this test -> B -> C, real micro-test-server processes), the
// traceparent format, and structured (JSON) log lines that carry the trace.
#include <csignal>

#include <catch2/catch.hpp>

#include "harness.hpp"
#include "micro/trace.hpp"

using namespace micro;
using namespace micro::test;

namespace {

// The metadata B's handler saw for its last run of `endpoint` (from Test.Log).
json last_run_metadata(micro::client& c, const std::string& service, const std::string& endpoint) {
  auto log = c.call<json, json>(service, "Test.Log", json::object());
  REQUIRE(log);
  json found;
  for (auto& ev : *log)
    if (ev.value("event", "") == "run" && ev.value("endpoint", "") == endpoint)
      found = ev["metadata"];
  REQUIRE(found.is_object());
  return found;
}

trace_context parsed(const json& md) {
  auto t = parse_traceparent(md.value(traceparent_key, ""));
  INFO(md.dump());
  REQUIRE(t);
  t->parent_span_id = md.value(parent_span_key, "");
  return *t;
}

struct chain {
  running_server c = start_test_server(server_config{"trace.c"});
  running_server b = start_test_server(server_config{"trace.b", c.entry()});
  std::unique_ptr<micro::client> client = make_client(b);

  chain() {
    // B's first call to C may meet CAF's handshake race (see dropped_before_handshake).
    for (int attempt = 1;; ++attempt) {
      auto warm = client->call<json>("trace.b", "Test.Chain", json{{"service", "trace.c"}, {"endpoint", "Test.Count"}});
      if (warm)
        break;
      INFO(warm.error().to_json());
      REQUIRE(dropped_before_handshake(warm.error()));
      REQUIRE(attempt < 5);
    }
  }

  // B calls C's Test.Metadata; returns (B's trace, C's trace).
  std::pair<trace_context, trace_context> run(const call_options& opts) {
    auto rsp = client->call<json>("trace.b", "Test.Chain", json{{"service", "trace.c"}, {"endpoint", "Test.Metadata"}},
                                  opts);
    INFO((rsp ? rsp->dump() : rsp.error().to_json()));
    REQUIRE(rsp);
    return {parsed(last_run_metadata(*client, "trace.b", "Test.Chain")), parsed(rsp->at("reply"))};
  }
};

}  // namespace

TEST_CASE("traceparent: parse, print and reject malformed values", "[trace]") {
  auto t = parse_traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  REQUIRE(t);
  CHECK(t->trace_id == "4bf92f3577b34da6a3ce929d0e0e4736");
  CHECK(t->span_id == "00f067aa0ba902b7");
  CHECK(t->traceparent() == "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  CHECK_FALSE(parse_traceparent(""));
  CHECK_FALSE(parse_traceparent("00-00000000000000000000000000000000-00f067aa0ba902b7-01"));  // zero trace id
  CHECK_FALSE(parse_traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01"));  // zero span id
  CHECK_FALSE(parse_traceparent("00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01"));  // upper case
  CHECK_FALSE(parse_traceparent("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"));  // unknown version
  CHECK_FALSE(parse_traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7"));
  micro::metadata md;
  auto made = ensure_trace(md);
  CHECK(parse_traceparent(made));
  CHECK(ensure_trace(md) == made);  // kept once present
  md[traceparent_key] = "garbage";
  CHECK(ensure_trace(md) != "garbage");
  CHECK(parse_traceparent(md[traceparent_key]));
}

TEST_CASE("a hop's span: the incoming span becomes its parent, trace and flags stay", "[trace]") {
  const std::string incoming = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00";
  micro::metadata md{{traceparent_key, incoming}, {"user", "ann"}};
  auto t = start_span(md);
  CHECK(t.trace_id == "4bf92f3577b34da6a3ce929d0e0e4736");
  CHECK(t.parent_span_id == "00f067aa0ba902b7");
  CHECK(t.span_id != "00f067aa0ba902b7");
  CHECK(t.flags == "00");
  CHECK(md[traceparent_key] == t.traceparent());
  CHECK(md[parent_span_key] == "00f067aa0ba902b7");
  CHECK(md["user"] == "ann");
  // enter_span: the same, without the returned trace; a second hop's parent is the first's span.
  auto first_span = t.span_id;
  enter_span(md);
  auto second = parse_traceparent(md[traceparent_key]);
  REQUIRE(second);
  CHECK(second->trace_id == t.trace_id);
  CHECK(md[parent_span_key] == first_span);
  CHECK(second->span_id != first_span);
  // Nothing valid came: a new trace, no parent (a stale parent entry is dropped).
  micro::metadata bad{{traceparent_key, "00-zz"}, {parent_span_key, "00f067aa0ba902b7"}};
  enter_span(bad);
  REQUIRE(parse_traceparent(bad[traceparent_key]));
  CHECK(bad.count(parent_span_key) == 0);
  micro::metadata none;
  auto root = start_span(none);
  CHECK(root.parent_span_id.empty());
  CHECK(root.flags == "01");
  CHECK(none[traceparent_key] == root.traceparent());
}

TEST_CASE("a trace follows a call through two processes with a new span per hop", "[trace]") {
  chain ch;
  SECTION("the caller's trace goes on") {
    const std::string trace_id = "4bf92f3577b34da6a3ce929d0e0e4736", root = "00f067aa0ba902b7";
    auto [b, c] = ch.run(call_options{}.with_metadata(traceparent_key, "00-" + trace_id + "-" + root + "-01"));
    CHECK(b.trace_id == trace_id);
    CHECK(c.trace_id == trace_id);
    CHECK(b.parent_span_id == root);      // B's span is a child of the caller's
    CHECK(c.parent_span_id == b.span_id);  // C's span is a child of B's
    CHECK(b.span_id != root);
    CHECK(c.span_id != b.span_id);
    CHECK(c.span_id != root);
  }
  SECTION("a call from outside any trace starts one at the edge") {
    auto [b, c] = ch.run(call_options{});
    CHECK(b.trace_id == c.trace_id);
    CHECK_FALSE(b.parent_span_id.empty());  // the edge's own span
    CHECK(c.parent_span_id == b.span_id);
    CHECK(c.span_id != b.span_id);
    auto [b2, c2] = ch.run(call_options{});
    CHECK(b2.trace_id != b.trace_id);  // each edge call is a trace of its own
  }
}

TEST_CASE("MICRO_LOG_FORMAT=json: one JSON object per line, errors with their trace", "[trace][log]") {
  server_config cfg{"trace.logs"};
  cfg.env["MICRO_LOG_FORMAT"] = "json";
  auto server = start_test_server(cfg);  // waits for the "listening on" line, JSON or not
  auto c = make_client(server);
  const std::string trace_id = "0af7651916cd43dd8448eb211c80319c", root = "b7ad6b7169203331";
  auto failed = c->call<json>("trace.logs", "Test.Throw", json::object(),
                              call_options{}.with_metadata(traceparent_key, "00-" + trace_id + "-" + root + "-01"));
  REQUIRE_FALSE(failed);
  REQUIRE(failed.error().code == 500);
  auto failure = server.proc->wait_for_line(stream::err, "handler failed", 10s);
  REQUIRE(failure);
  REQUIRE(server.proc->signal(SIGTERM));
  REQUIRE(server.proc->wait(30s));
  std::vector<std::string> lines{*failure};
  while (auto line = server.proc->read_line(stream::err, 1s))
    lines.push_back(*line);
  // Every line of the server's stderr from there on is a JSON object; the error names the trace.
  bool found = false;
  for (auto& line : lines) {
    INFO(line);
    auto j = json::parse(line, nullptr, false);
    REQUIRE(j.is_object());
    REQUIRE(j.contains("time"));
    REQUIRE(j.contains("level"));
    REQUIRE(j.contains("msg"));
    if (j["msg"] == "handler failed") {
      found = true;
      CHECK(j["level"] == "error");
      CHECK(j["trace_id"] == trace_id);
      CHECK(j["parent_span_id"] == root);
      CHECK(j["span_id"].get<std::string>().size() == 16);
      CHECK(j["service"] == "trace.logs");
      CHECK(j["endpoint"] == "Test.Throw");
      CHECK(j["code"] == "500");
    }
  }
  CHECK(lines.size() >= 2);  // handler failed, stopped
  CHECK(found);
}

TEST_CASE("a trace follows stream opens and publications into another process", "[trace]") {
  server_config cfg{"trace.events"};
  cfg.env["TEST_PUBSUB_STREAM"] = "1";
  auto server = start_test_server(cfg);
  // The static entry advertises the server's subscription, as its registry entry would.
  auto c = make_client(server.entry() + ";sub:test.events=*", {&server});
  const std::string trace_id = "5cf3a1e0d8f04c2b9a7e6d5c4b3a2918", root = "1122334455667788";
  const auto traceparent = "00-" + trace_id + "-" + root + "-01";

  SECTION("a stream's handler runs in a span of its own, a child of the opener's") {
    auto s = c->stream<json, json>("trace.events", "Test.Stream",
                                   stream_options{}.with_metadata(traceparent_key, traceparent));
    REQUIRE(s);
    REQUIRE(s->send(json{{"i", 1}}));
    json reply;
    REQUIRE(s->recv(reply));
    CHECK(s->finish());
    auto t = parsed(reply["metadata"]);
    CHECK(t.trace_id == trace_id);
    CHECK(t.parent_span_id == root);
    CHECK(t.span_id != root);
  }
  SECTION("a subscriber runs in a span of its own, a child of the publisher's") {
    REQUIRE(c->publish("test.events", json{{"tag", "traced"}},
                       publish_options{}.with_metadata(traceparent_key, traceparent).with_mode(delivery::acknowledged)));
    json seen;
    auto until = steady_clock::now() + 10s;
    while (seen.is_null() && steady_clock::now() < until) {
      auto log = c->call<json, json>("trace.events", "Test.Log", json::object());
      REQUIRE(log);
      for (auto& ev : *log)
        if (ev.value("event", "") == "publication" && ev["body"].value("tag", "") == "traced")
          seen = ev["metadata"];
      if (seen.is_null())
        std::this_thread::sleep_for(20ms);  // polled: the node accepts a publication before its handler runs
    }
    REQUIRE(seen.is_object());
    auto t = parsed(seen);
    CHECK(t.trace_id == trace_id);
    CHECK(t.parent_span_id == root);
    CHECK(t.span_id != root);
  }
}
