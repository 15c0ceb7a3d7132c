#include "pubsub_helpers.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "actors/broker_actor.hpp"

namespace micro::test {

std::string unique_name(const std::string& base) {
  static int n = 0;
  return base + "-" + std::to_string(::getpid()) + "-" + std::to_string(++n);
}

std::string test_transport() {
  const char* v = std::getenv("MICRO_TEST_TRANSPORT");
  return v == nullptr || *v == '\0' ? "tcp" : v;
}

std::map<std::string, std::string> broker_env() {
  std::map<std::string, std::string> env;
  for (const char* key : {"MICRO_BROKER", "MICRO_BROKER_ADDRESS"})
    if (const char* v = std::getenv(key); v != nullptr && *v != '\0')
      env[key] = v;
  return env;
}

std::string broker_kind() {
  const char* v = std::getenv("MICRO_BROKER");
  return v == nullptr || *v == '\0' ? "actor" : v;
}

bool actor_broker_or_skip(const std::string& what) {
  if (broker_kind() == "actor")
    return true;
  WARN("skipped under MICRO_BROKER=" << broker_kind() << ": " << what << " is a feature of the actor broker");
  return false;
}

namespace {

std::optional<got_line> parse_got(const std::string& line) {
  if (line.rfind("got ", 0) != 0)
    return std::nullopt;
  std::istringstream in{line.substr(4)};
  got_line g;
  in >> g.topic >> g.seq;
  std::string kv;
  while (in >> kv) {
    auto eq = kv.find('=');
    if (eq != std::string::npos)
      g.meta[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  return g;
}

}  // namespace

bool subscriber::poll(milliseconds timeout) {
  auto line = srv.proc->read_line(stream::out, timeout);
  if (!line)
    return false;
  auto g = parse_got(*line);
  if (!g)
    return false;
  lines.push_back(std::move(*g));
  return true;
}

std::vector<got_line> subscriber::received() const {
  std::vector<got_line> out;
  for (auto& l : lines)
    if (!l.marker())
      out.push_back(l);
  return out;
}

std::vector<uint64_t> subscriber::seqs() const {
  std::vector<uint64_t> out;
  for (auto& l : lines)
    if (!l.marker())
      out.push_back(l.number());
  return out;
}

bool subscriber::saw_marker(const std::string& m) const {
  return std::any_of(lines.begin(), lines.end(), [&](const got_line& l) {
    auto it = l.meta.find("marker");
    return it != l.meta.end() && it->second == m;
  });
}

long subscriber::rss_kb() const {
  std::ifstream in{"/proc/" + std::to_string(srv.proc->pid()) + "/status"};
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmRSS:", 0) == 0)
      return std::stol(line.substr(6));
  return -1;
}

std::unique_ptr<subscriber> start_subscriber(const subscriber_config& cfg) {
  std::map<std::string, std::string> env = heartbeat_env();
  env["MICRO_REGISTRY"] = "mdns";
  env["MICRO_SERVER_ADDRESS"] = cfg.address;
  for (auto& [k, v] : broker_env())
    env[k] = v;
  env["MICRO_TRANSPORT"] = test_transport();
  env["TEST_TOPICS"] = cfg.topics;
  if (!cfg.queue.empty())
    env["TEST_QUEUE"] = cfg.queue;
  if (cfg.window > 0)
    env["TEST_WINDOW"] = std::to_string(cfg.window);
  if (cfg.refuse_when_full)
    env["TEST_REFUSE_WHEN_FULL"] = "1";
  if (cfg.ack)
    env["TEST_ACK"] = "1";
  if (cfg.raw)
    env["TEST_RAW"] = "1";
  if (cfg.delay_ms > 0)
    env["TEST_DELAY_MS"] = std::to_string(cfg.delay_ms);

  auto s = std::make_unique<subscriber>();
  s->srv.name = cfg.name;
  s->srv.proc = std::make_unique<process>(sibling_binary("micro-pubsub-test-server"),
                                          std::vector<std::string>{"--server_name", cfg.name}, env);
  auto first = s->srv.proc->read_line(stream::out, 30s);
  if (!first || first->rfind("ready 127.0.0.1:", 0) != 0)
    FAIL("micro-pubsub-test-server " << cfg.name << " did not start; its output:\n" << s->srv.proc->transcript());
  std::istringstream in{first->substr(6)};
  in >> s->srv.address >> s->node_id >> s->transport >> s->transport_address;
  // A subscriber that does not serve over the transport asked for would let the suite pass over
  // another carrier (the stream suite once ran over BASP unnoticed that way).
  if (s->transport != test_transport())
    FAIL("micro-pubsub-test-server " << cfg.name << " serves over \"" << s->transport << "\", not "
                                      << test_transport() << ": " << *first);
  return s;
}

std::unique_ptr<micro::client> publisher_client() {
  options opts;
  REQUIRE(apply_environment(opts));
  opts.with_registry("mdns");
  // The cases check what publish reports: acknowledged (async_test.cpp covers async).
  opts.with_publish_mode("acknowledged");
  return std::make_unique<micro::client>(opts);
}

pubsubtest::Tick tick(uint64_t seq, std::size_t payload_bytes) {
  pubsubtest::Tick t;
  t.set_seq(seq);
  if (payload_bytes > 0)
    t.set_payload(std::string(payload_bytes, static_cast<char>('a' + seq % 26)));
  return t;
}

void await_subscribed(micro::client& c, const std::string& topic, const std::vector<subscriber*>& subs) {
  for (auto* s : subs) {
    auto t0 = steady_clock::now();
    bool listed = false;
    while (!listed && steady_clock::now() - t0 < 15s) {
      auto r = c.resolve(s->srv.name);
      listed = r && std::find(r->begin(), r->end(), s->srv.address) != r->end();
      if (!listed)
        std::this_thread::sleep_for(2ms);  // polling the client's cache, an observable state
    }
    if (!listed)
      FAIL("subscriber " << s->srv.name << " at " << s->srv.address << " never appeared in the registry");
    connect_to(c, s->srv);
  }
  if (!drain(c, topic, subs))
    FAIL("markers on " << topic << " did not reach every subscriber");
}

bool drain(micro::client& c, const std::string& topic, const std::vector<subscriber*>& subs, milliseconds timeout) {
  static int next_marker = 0;
  std::set<subscriber*> seen;
  auto until = steady_clock::now() + timeout;
  while (seen.size() < subs.size()) {
    if (steady_clock::now() > until)
      return false;
    const auto m = "m" + std::to_string(++next_marker);
    auto st = c.publish(topic, tick(0),
                        publish_options{}.with_metadata("marker", m).with_mode(delivery::acknowledged));
    if (!st)  // some node did not take it; the others may have
      WARN("marker " << m << " on " << topic << " failed: " << st.error().to_json());
    // Wait until some subscriber printed this marker (it went to all plain ones, and to one
    // member of a queue group); a marker that reached nobody yet (the registry has not caught
    // up) is followed by another after a while.
    auto got_it = [&] {
      bool any = false;
      for (auto* s : subs)
        if (s->saw_marker(m)) {
          seen.insert(s);
          any = true;
        }
      return any;
    };
    read_all_until(subs, got_it, std::min<milliseconds>(1000ms, timeout));
  }
  return true;
}

carrier_counts carriers_of(micro::client& c, const subscriber& s) {
  micro::raw_message req;
  req.content_type = req.accept = "application/json";
  req.body = "{}";
  auto rsp = c.call_raw({}, s.srv.name, "Debug.Stats", req);
  if (!rsp)
    FAIL("Debug.Stats of " << s.srv.name << ": " << rsp.error().to_json());
  auto stats = nlohmann::json::parse(rsp->body);
  INFO(stats.dump());
  REQUIRE(stats.contains("publication_batches"));
  auto& b = stats["publication_batches"];
  return carrier_counts{b["sent"]["transport"].get<uint64_t>(), b["sent"]["caf"].get<uint64_t>(),
                        b["received"]["transport"].get<uint64_t>(), b["received"]["caf"].get<uint64_t>()};
}

carrier_counts own_carriers() {
  auto& c = micro::actors::publication_carriers();
  return carrier_counts{c.sent_transport.load(), c.sent_caf.load(), c.received_transport.load(), c.received_caf.load()};
}

std::vector<uint64_t> duplicates(const std::vector<uint64_t>& seqs) {
  std::vector<uint64_t> sorted = seqs, out;
  std::sort(sorted.begin(), sorted.end());
  for (std::size_t i = 1; i < sorted.size(); ++i)
    if (sorted[i] == sorted[i - 1] && (out.empty() || out.back() != sorted[i]))
      out.push_back(sorted[i]);
  return out;
}

}  // namespace micro::test
